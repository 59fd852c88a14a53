"""``python -m benchmarks [--smoke] [-k EXPR]``: run the suite, write reports/benchmarks.json,
print the ratio table."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from .ratios import format_table, ratio_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one short round of each workload (CI)")
    parser.add_argument("--output-dir", default="reports", help="output folder")
    parser.add_argument("-k", dest="select", help="pytest -k expression to pick workloads")
    args = parser.parse_args(argv)
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".json", dir=out_dir)
    os.close(fd)
    # CPU time of this process, not wall time: on a shared 2-core machine wall time also counts
    # the time other processes hold the CPU, which swings ratios by 2x between workloads.
    pytest_args = [str(Path(__file__).parent), "-p", "no:cacheprovider", "-q", f"--benchmark-json={tmp}",
                   "--benchmark-sort=name", "--benchmark-timer=time.process_time"]
    if not args.smoke:
        pytest_args += ["--benchmark-min-rounds=7"]
    if args.smoke:
        pytest_args += ["--smoke", "--benchmark-min-rounds=1", "--benchmark-max-time=0.000001",
                        "--benchmark-warmup=off"]
    if args.select:
        pytest_args += ["-k", args.select]
    code = pytest.main(pytest_args)
    if code != 0 or os.path.getsize(tmp) == 0:
        os.unlink(tmp)
        print(f"benchmarks: pytest exited with {code}; nothing written", file=sys.stderr)
        return int(code) or 1
    final = out_dir / "benchmarks.json"
    os.replace(tmp, final)
    print(format_table(ratio_rows(json.loads(final.read_text()))))
    print(f"\nwrote {final}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
