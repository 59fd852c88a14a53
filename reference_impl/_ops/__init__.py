"""Ops, one module per family. Each module exports two tables:

``FUNCTIONS`` — names installed on the ``reference_impl`` namespace (``torch.exp``), and
``METHODS`` — names installed on ``Tensor`` (``x.exp()``, ``x.__mul__``).
"""
