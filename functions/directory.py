import azure.functions as func

from shared.api import directory_routes as routes

from .adapter import serve

bp = func.Blueprint()

PERSON = "face/{apiVersion}/persons/{personId}"
FACES = PERSON + "/recognitionModels/{recognitionModel}/persistedfaces"
GROUP = "face/{apiVersion}/dynamicpersongroups/{dynamicPersonGroupId}"


@bp.route(route="face/{apiVersion}/persons", methods=["POST", "GET"])
def directory_persons(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_persons, "directory-persons")


@bp.route(route=PERSON, methods=["GET", "PATCH", "DELETE"])
def directory_person(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_person, "directory-person")


@bp.route(route=PERSON + "/dynamicPersonGroupReferences", methods=["GET"])
def directory_person_references(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_person_references, "directory-references")


@bp.route(route=FACES, methods=["POST", "GET"])
def directory_person_faces(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_person_faces, "directory-faces")


@bp.route(route=FACES + "/{persistedFaceId}", methods=["GET", "PATCH", "DELETE"])
def directory_person_face(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_person_face, "directory-face")


@bp.route(route="face/{apiVersion}/dynamicpersongroups", methods=["GET"])
def dynamic_groups(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_dynamic_groups, "dynamic-groups")


@bp.route(route=GROUP, methods=["PUT", "GET", "PATCH", "DELETE"])
def dynamic_group(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_dynamic_group, "dynamic-group")


@bp.route(route=GROUP + "/persons", methods=["GET"])
def dynamic_group_persons(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_dynamic_group_persons, "dynamic-group-persons")


@bp.route(route="face/{apiVersion}/operations/{operationId}", methods=["GET"])
def operation(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_operation, "operation")
