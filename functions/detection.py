import azure.functions as func

from shared.api.detect_route import handle_detect

from .adapter import serve

bp = func.Blueprint()


@bp.route(route="face/{apiVersion}/detect", methods=["POST"])
def detect(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, handle_detect, "detect")
