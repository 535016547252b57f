"""Many clients on a Dask cluster give the same reports as a local run."""

from __future__ import annotations

import re

import pytest

from conftest import TINY, make_project

pytestmark = pytest.mark.slow

STAMP = re.compile(r"on \d{4}-\d{2}-\d{2} \d{2}:\d{2}[^<]*? with parameters")


def _normalise(html: str) -> str:
    return STAMP.sub("on DATE with parameters", html)


def test_local_cluster_matches_local_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    from cem_research.run.pipeline import Runner

    local = make_project(tmp_path / "local", {"tiny": TINY})
    remote = make_project(tmp_path / "remote", {"tiny": TINY})
    a = Runner(local, jobs=2, echo=lambda m: None).run()[0]
    assert a.ok, a.error
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        b = Runner(remote, scheduler=cluster.scheduler_address, echo=lambda m: None).run()[0]
    assert b.ok, b.error
    assert b.executed, "the notebooks ran on the cluster"
    html_a = _normalise((local / "reports" / "tiny" / "report.html").read_text())
    html_b = _normalise((remote / "reports" / "tiny" / "report.html").read_text())
    assert html_a == html_b
