"""Saves grouped by event-loop turn: one commit for concurrent requests, each with its own row
and its own outcome. Real SQLite files and a real PostgreSQL cluster, no mocks of the database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

import crepitus
from crepitus.api import create_app
from crepitus.api._saves import Saves
from crepitus.settings import Settings
from crepitus.store import Store, is_outage

CASE: dict[str, Any] = {
    "age": 34,
    "evidence": [{"id": "sound_twisting", "present": True}, {"id": "pain", "present": False}],
}
RESULT = crepitus.assess(CASE)
BODY = orjson.dumps(RESULT).decode()


class Spy:
    """Records how many rows every write of the store holds, and passes it on to the store."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        real = store.save_assessments

        def save_assessments(items: Any) -> list[str]:
            self.sizes.append(len(items))
            return real(items)

        monkeypatch.setattr(store, "save_assessments", save_assessments)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(f"sqlite:///{tmp_path / 'saves.db'}")
    yield s
    s.close()


def _save_all(saves: Saves, cases: list[Any]) -> list[Any]:
    async def main() -> list[Any]:
        jobs = [saves.save(c, RESULT, BODY) for c in cases]
        return await asyncio.gather(*jobs, return_exceptions=True)

    return asyncio.run(main())


def test_concurrent_saves_share_one_commit_and_keep_their_own_rows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(store, monkeypatch)
    cases = [{**CASE, "age": 20 + i} for i in range(8)]
    tokens = _save_all(Saves(store), cases)
    assert spy.sizes == [8]
    assert len(set(tokens)) == 8
    for case, token in zip(cases, tokens, strict=True):
        got = store.get_assessment(token)
        assert got is not None and got.case == case


def test_a_save_alone_is_written_alone(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(store, monkeypatch)
    (token,) = _save_all(Saves(store), [CASE])
    assert spy.sizes == [1]
    assert store.get_assessment(token) is not None


def test_one_unstorable_case_fails_only_its_own_request(store: Store) -> None:
    cases: list[Any] = [CASE, {"not json": object()}, {**CASE, "age": 50}]
    first, bad, last = _save_all(Saves(store), cases)
    assert isinstance(bad, TypeError | sa.exc.StatementError)
    for case, token in ((CASE, first), (cases[2], last)):
        got = store.get_assessment(token)
        assert got is not None and got.case == case


def test_an_outage_fails_every_waiting_request(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(rows: Any) -> None:
        raise sa.exc.OperationalError("INSERT", None, Exception("disk I/O error"))

    monkeypatch.setattr(store, "_driver_insert", down)
    outcomes = _save_all(Saves(store), [CASE, CASE, CASE])
    assert all(isinstance(o, sa.exc.OperationalError) and is_outage(o) for o in outcomes)


def test_saves_on_postgresql_go_to_the_thread_pool_one_by_one(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg = Store(pg_url)
    try:
        spy = Spy(pg, monkeypatch)
        tokens = _save_all(Saves(pg), [CASE, CASE])
        assert spy.sizes == [1, 1] and len(set(tokens)) == 2
        assert all(pg.get_assessment(t) is not None for t in tokens)
    finally:
        pg.close()


def test_concurrent_requests_are_stored_together_and_answered_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", rate_writes="off"))

    async def main() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            spy = Spy(app.state.store, monkeypatch)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                cases = [{**CASE, "age": 20 + i} for i in range(6)]
                posted = await asyncio.gather(*(client.post("/v1/assess", json=c) for c in cases))
                assert max(spy.sizes) > 1  # at least some of them shared a commit
                got = [await client.get(f"/v1/assessments/{r.json()['token']}") for r in posted]
                assert [g.json()["case"] for g in got] == cases
                return posted

    posted = asyncio.run(main())
    assert [r.status_code for r in posted] == [200] * 6
    assert len({r.json()["token"] for r in posted}) == 6


def test_an_interrupted_write_leaves_no_request_waiting(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = Saves(store)

    def interrupted(items: Any) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "save_assessments", interrupted)

    async def main() -> list[asyncio.Future[str]]:
        loop = asyncio.get_running_loop()
        tasks = [loop.create_task(saves.save(CASE, RESULT, BODY)) for _ in range(3)]
        await asyncio.sleep(0)  # every task reaches its save
        with pytest.raises(KeyboardInterrupt):
            saves._write(loop)
        await asyncio.gather(*tasks, return_exceptions=True)
        return tasks

    tasks = asyncio.run(main())
    assert all(isinstance(t.exception(), RuntimeError) for t in tasks)
