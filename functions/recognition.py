import azure.functions as func

from shared.api.recognition_routes import handle_find_similar, handle_group, handle_identify, handle_verify

from .adapter import serve

bp = func.Blueprint()


@bp.route(route="face/{apiVersion}/verify", methods=["POST"])
def verify(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, handle_verify, "verify")


@bp.route(route="face/{apiVersion}/findsimilars", methods=["POST"])
def find_similars(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, handle_find_similar, "findsimilars")


@bp.route(route="face/{apiVersion}/group", methods=["POST"])
def group(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, handle_group, "group")


@bp.route(route="face/{apiVersion}/identify", methods=["POST"])
def identify(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, handle_identify, "identify")
