"""The Functions app: creates it and registers one blueprint per API area, nothing more."""
import azure.functions as func

from functions import (
    collections,
    detection,
    directory,
    liveness,
    privacy,
    recognition,
    retention_timer,
    training_worker,
)

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(detection.bp)
app.register_functions(recognition.bp)
app.register_functions(collections.bp)
app.register_functions(directory.bp)
app.register_functions(liveness.bp)
app.register_functions(privacy.bp)
app.register_functions(training_worker.bp)
app.register_functions(retention_timer.bp)
