"""The baseline for bench/http_bench.py: a bare FastAPI app that answers POST /v1/assess with the
JSON body it was sent (parsed and serialised again), served the same way as crepitus."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()


@app.post("/v1/assess")
async def echo(body: dict[str, Any]) -> dict[str, Any]:
    return body


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
