# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
"""report_util.py: what the benchmark reports share (cost-report.py,
kernel-report.py): bench-report.py, whose name is no module name, loaded
as a module so that its die and load_results serve them too."""

import importlib.util
import os


def bench_report(prog):
    """bench-report.py (beside this file) as a module whose errors are
    prefixed with prog."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "bench_report", os.path.join(here, "bench-report.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.PROG = prog
    return module
