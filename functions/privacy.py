import azure.functions as func

from shared.api import privacy_routes as routes

from .adapter import serve

bp = func.Blueprint()

PRIVACY = "face/{apiVersion}/privacy"
ADMIN = "face/{apiVersion}/admin"


@bp.route(route=PRIVACY + "/consents", methods=["POST"])
def privacy_consents(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_consents, "privacy-consent")


@bp.route(route=PRIVACY + "/consents/revoke", methods=["POST"])
def privacy_revoke(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_revoke, "privacy-revoke")


@bp.route(route=PRIVACY + "/erasure", methods=["POST"])
def privacy_erasure(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_erasure, "privacy-erasure")


@bp.route(route=PRIVACY + "/subjects", methods=["GET"])
def privacy_subject(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_subject, "privacy-subject")


@bp.route(route=PRIVACY + "/subjects/links", methods=["POST"])
def privacy_link(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_link, "privacy-link")


@bp.route(route=PRIVACY + "/subjects/retention", methods=["PUT"])
def privacy_retention(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_retention, "privacy-retention")


@bp.route(route=PRIVACY + "/photos", methods=["GET"])
def privacy_photos(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_photos, "privacy-photos")


@bp.route(route=ADMIN + "/sweep", methods=["POST"])
def admin_sweep(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_sweep, "admin-sweep")


@bp.route(route=ADMIN + "/audit", methods=["GET"])
def admin_audit(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_audit, "admin-audit")


@bp.route(route=ADMIN + "/reenrollment", methods=["POST"])
def admin_reenrollment(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_reenrollment_start, "admin-reenrollment")


@bp.route(route=ADMIN + "/reenrollment/{operationId}", methods=["GET"])
def admin_reenrollment_status(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_reenrollment_status, "admin-reenrollment-status")
