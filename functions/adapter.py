"""The only place where azure.functions request/response objects meet the core."""
from __future__ import annotations

import azure.functions as func

from shared.api.dispatch import Handler, run
from shared.api.http_types import ApiRequest, CaseInsensitiveDict


def serve(req: func.HttpRequest, handler: Handler, operation: str) -> func.HttpResponse:
    request = ApiRequest(
        method=req.method,
        route=dict(req.route_params),
        query=CaseInsensitiveDict(dict(req.params)),
        headers=CaseInsensitiveDict(dict(req.headers)),
        body=req.get_body() or b"",
        url=req.url,
    )
    response = run(request, handler, operation)
    return func.HttpResponse(body=response.body, status_code=response.status, headers=response.headers)
