"""`report RESULTS.json [-o OUT] [--baseline OLD.json]`, meant to be wired as a subcommand."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .model import ReportInputError
from .renderer import render


def build_parser(prog: str = "report") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Render conformance results as one HTML file.")
    parser.add_argument("results", help="results JSON written by the conformance suite")
    parser.add_argument("-o", "--output", default="reports/index.html", help="HTML file to write")
    parser.add_argument("--baseline", help="previous results JSON to compare against")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; bad input gives one line on stderr and exit status 2, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        out = render(args.results, args.output, baseline=args.baseline)
    except ReportInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write report: {exc}", file=sys.stderr)
        return 2
    print(f"report written to {out}")
    return 0
