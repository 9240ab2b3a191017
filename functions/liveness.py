import azure.functions as func

from shared.api import liveness_routes as routes
from shared.api.liveness_routes import LIVENESS, WITH_VERIFY

from .adapter import serve

bp = func.Blueprint()

V = "face/{apiVersion}"


# ---- GA v1.2 ----
@bp.route(route=V + "/detectLiveness-sessions", methods=["POST"])
def liveness_ga_create(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, lambda r: routes.handle_ga_create(r, LIVENESS), "liveness-create")


@bp.route(route=V + "/detectLivenessWithVerify-sessions", methods=["POST"])
def liveness_verify_ga_create(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, lambda r: routes.handle_ga_create(r, WITH_VERIFY), "liveness-create")


@bp.route(route=V + "/detectLiveness-sessions/{sessionId}", methods=["GET", "DELETE"])
def liveness_ga_session(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_ga_session, "liveness-session")


@bp.route(route=V + "/detectLivenessWithVerify-sessions/{sessionId}", methods=["GET", "DELETE"])
def liveness_verify_ga_session(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_ga_session, "liveness-session")


@bp.route(route=V + "/sessionImages/{sessionImageId}", methods=["GET"])
def liveness_session_image(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_session_image, "liveness-image")


# ---- preview (v1.1-preview.1, v1.2-preview.1: what azure-ai-vision-face 1.0.0b2 calls) ----
@bp.route(route=V + "/detectLiveness/singleModal/sessions", methods=["POST", "GET"])
def liveness_preview_sessions(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, lambda r: routes.handle_preview_sessions(r, LIVENESS), "liveness-sessions")


@bp.route(route=V + "/detectLivenessWithVerify/singleModal/sessions", methods=["POST", "GET"])
def liveness_verify_preview_sessions(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, lambda r: routes.handle_preview_sessions(r, WITH_VERIFY), "liveness-sessions")


@bp.route(route=V + "/detectLiveness/singleModal/sessions/{sessionId}", methods=["GET", "DELETE"])
def liveness_preview_session(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_preview_session, "liveness-session")


@bp.route(route=V + "/detectLivenessWithVerify/singleModal/sessions/{sessionId}", methods=["GET", "DELETE"])
def liveness_verify_preview_session(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_preview_session, "liveness-session")


@bp.route(route=V + "/detectLiveness/singleModal/sessions/{sessionId}/audit", methods=["GET"])
def liveness_preview_audit(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_preview_audit, "liveness-audit")


@bp.route(route=V + "/detectLivenessWithVerify/singleModal/sessions/{sessionId}/audit", methods=["GET"])
def liveness_verify_preview_audit(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_preview_audit, "liveness-audit")


@bp.route(route=V + "/session/sessionImages/{sessionImageId}", methods=["GET"])
def liveness_preview_session_image(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_session_image, "liveness-image")


# ---- our device route: the session's authToken as a bearer token ----
@bp.route(route=V + "/liveness/device/attempts", methods=["POST"])
def liveness_device_attempt(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_device_attempt, "device-attempt")


@bp.route(route=V + "/liveness/device/challenge", methods=["GET"])
def liveness_device_challenge(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_device_challenge, "device-challenge")
