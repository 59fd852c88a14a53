"""HTML report for conformance results: one self-contained, offline file."""

from .model import ReportInputError, load_results
from .renderer import render, render_html

__all__ = ["ReportInputError", "load_results", "render", "render_html"]
