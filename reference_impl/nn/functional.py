"""torch.nn.functional (being written)."""
