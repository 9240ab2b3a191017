import azure.functions as func

from shared.services.retention import sweep

bp = func.Blueprint()


@bp.timer_trigger(schedule="%FACE_RETENTION_SCHEDULE%", arg_name="timer", run_on_startup=False)
def retention_sweep(timer: func.TimerRequest) -> None:
    sweep()
