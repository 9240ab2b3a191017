import azure.functions as func

from shared.api import collection_routes as routes

from .adapter import serve

bp = func.Blueprint()

# One set of functions serves facelists, largefacelists, persongroups and largepersongroups.
BASE = "face/{apiVersion}/{collection:regex(^(facelists|largefacelists|persongroups|largepersongroups)$)}"


@bp.route(route=BASE, methods=["GET"])
def collection_list(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_collection_list, "collection-list")


@bp.route(route=BASE + "/{collectionId}", methods=["PUT", "GET", "PATCH", "DELETE"])
def collection(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_collection, "collection")


@bp.route(route=BASE + "/{collectionId}/train", methods=["POST"])
def collection_train(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_train, "train")


@bp.route(route=BASE + "/{collectionId}/training", methods=["GET"])
def collection_training(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_training_status, "training")


@bp.route(route=BASE + "/{collectionId}/persons", methods=["POST", "GET"])
def persons(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_persons, "persons")


@bp.route(route=BASE + "/{collectionId}/persons/{personId}", methods=["GET", "PATCH", "DELETE"])
def person(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_person, "person")


@bp.route(route=BASE + "/{collectionId}/persons/{personId}/persistedfaces", methods=["POST"])
def person_faces(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_person_faces, "person-faces")


@bp.route(route=BASE + "/{collectionId}/persons/{personId}/persistedfaces/{persistedFaceId}",
          methods=["GET", "PATCH", "DELETE"])
def person_face(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_person_face, "person-face")


@bp.route(route=BASE + "/{collectionId}/persistedfaces", methods=["POST", "GET"])
def list_faces(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_list_faces, "list-faces")


@bp.route(route=BASE + "/{collectionId}/persistedfaces/{persistedFaceId}", methods=["GET", "PATCH", "DELETE"])
def list_face(req: func.HttpRequest) -> func.HttpResponse:
    return serve(req, routes.handle_list_face, "list-face")
