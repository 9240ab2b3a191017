import json

import azure.functions as func

from shared.services.jobs import handle

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name="%FACE_TRAINING_QUEUE%", connection="AzureWebJobsStorage")
def training_worker(msg: func.QueueMessage) -> None:
    handle(json.loads(msg.get_body()))
