"""Route templates (as the Functions host matches them) and NCRONTAB schedules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from devhost.cron import CronError, CronSchedule, IntervalSchedule, parse_schedule
from devhost.routes import Router, RouteTemplate, RouteTemplateError, split_path
from devhost.settings import find_route_prefix


def match(template: str, path: str):
    return RouteTemplate(template).match(split_path(path))


# --------------------------------------------------------------------------- templates

def test_literals_and_parameters():
    assert match("face/{apiVersion}/detect", "/face/v1.2/detect") == {"apiVersion": "v1.2"}
    assert match("face/{apiVersion}/detect", "/face/v1.2/detect/") == {"apiVersion": "v1.2"}
    assert match("face/{apiVersion}/detect", "/face/v1.2") is None
    assert match("face/{apiVersion}/detect", "/face/v1.2/detect/more") is None
    assert match("face/{apiVersion}/detect", "/face//detect") is None  # a parameter is never empty


def test_literals_are_case_insensitive_values_keep_their_case():
    assert match("face/{apiVersion}/largePersonGroups/{id}", "/FACE/V1.2/LARGEPERSONGROUPS/Grp-A") == {
        "apiVersion": "V1.2", "id": "Grp-A"}


def test_percent_decoding_per_segment():
    assert match("files/{name}", "/files/a%20b") == {"name": "a b"}
    assert match("files/{name}", "/files/a%2Fb") == {"name": "a/b"}


def test_optional_and_default():
    assert match("optional/{a?}", "/optional") == {}
    assert match("optional/{a?}", "/optional/x") == {"a": "x"}
    assert match("optional/{a?}", "/optional/x/y") is None
    assert match("page/{n:int=1}", "/page") == {"n": "1"}
    assert match("page/{n:int=1}", "/page/7") == {"n": "7"}


def test_constraints():
    assert match("items/{id:int}", "/items/42") == {"id": "42"}
    assert match("items/{id:int}", "/items/-3") == {"id": "-3"}
    assert match("items/{id:int}", "/items/4x") is None
    assert match("items/{id:int}", "/items/99999999999") is None  # beyond int32
    assert match("items/{id:long}", "/items/99999999999") == {"id": "99999999999"}
    assert match("items/{n:alpha}", "/items/abcXYZ") == {"n": "abcXYZ"}
    assert match("items/{n:alpha}", "/items/abc1") is None
    guid = "c5c24a82-6845-4031-9d5d-978df9175426"
    assert match("faces/{faceId:guid}", f"/faces/{guid}") == {"faceId": guid}
    assert match("faces/{faceId:guid}", "/faces/not-a-guid") is None
    assert match("x/{b:bool}", "/x/True") == {"b": "True"}
    assert match("x/{s:minlength(2):maxlength(3)}", "/x/ab") == {"s": "ab"}
    assert match("x/{s:minlength(2):maxlength(3)}", "/x/abcd") is None
    assert match("x/{s:length(2)}", "/x/abc") is None
    assert match("x/{n:range(1,10)}", "/x/10") == {"n": "10"}
    assert match("x/{n:range(1,10)}", "/x/11") is None
    assert match("x/{n:min(5)}", "/x/4") is None


def test_regex_constraint_with_escaped_braces():
    t = "groups/{id:regex(^[a-z0-9-_]{{1,64}}$)}"
    assert match(t, "/groups/abc-1_2") == {"id": "abc-1_2"}
    assert match(t, "/groups/" + "a" * 65) is None
    assert match(t, "/groups/a.b") is None
    assert match(t, "/groups/ABC") == {"id": "ABC"}  # ASP.NET regex constraints ignore case
    # the argument may itself hold parentheses
    assert match("v/{ver:regex(^(v1\\.0|v1\\.2)$)}", "/v/v1.2") == {"ver": "v1.2"}
    assert match("v/{ver:regex(^(v1\\.0|v1\\.2)$)}", "/v/v7.0") is None


def test_catch_all_and_complex_segments():
    assert match("static/{*rest}", "/static/a/b/c.txt") == {"rest": "a/b/c.txt"}
    assert match("static/{*rest}", "/static") == {}
    assert match("files/{name}.{ext}", "/files/photo.jpg") == {"name": "photo", "ext": "jpg"}
    assert match("files/{name}.{ext}", "/files/photo") is None


@pytest.mark.parametrize("bad", ["a/{", "a/}", "a/{x}/{x}", "a/{*x}/b", "a/{x:nosuch}", "a//b", "{1x}"])
def test_bad_templates_are_rejected(bad):
    with pytest.raises(RouteTemplateError):
        RouteTemplate(bad)


# --------------------------------------------------------------------------- router

def make_router(prefix: str = "") -> Router:
    r = Router(prefix)
    # registered in an unhelpful order on purpose: precedence, not order, decides
    r.add("face/{apiVersion}/persongroups/{personGroupId}/{x}", ["GET", "DELETE"], "generic")
    r.add("face/{apiVersion}/persongroups/{personGroupId}/training", ["GET"], "training")
    r.add("face/{apiVersion}/persongroups/{personGroupId}", ["PUT", "GET"], "group")
    r.add("items/{name}", ["GET"], "item_any")
    r.add("items/{id:int}", ["GET"], "item_int")
    r.add("face/{apiVersion}/detect", ["POST"], "detect")
    r.add("anything", None, "anything")
    return r


def test_literal_beats_parameter():
    r = make_router()
    res = r.resolve("GET", "/face/v1.2/persongroups/g1/training")
    assert (res.status, res.target, res.route_params) == (200, "training", {"apiVersion": "v1.2", "personGroupId": "g1"})
    res = r.resolve("GET", "/face/v1.2/persongroups/g1/persons")
    assert (res.target, res.route_params["x"]) == ("generic", "persons")
    assert r.resolve("GET", "/FACE/v1.2/PersonGroups/g1/TRAINING").target == "training"


def test_constrained_parameter_beats_plain_parameter():
    r = make_router()
    assert r.resolve("GET", "/items/12").target == "item_int"
    assert r.resolve("GET", "/items/twelve").target == "item_any"


def test_method_selection_404_and_405():
    r = make_router()
    # the literal route has no DELETE: the parameter route that has it answers
    assert r.resolve("DELETE", "/face/v1.2/persongroups/g1/training").target == "generic"
    res = r.resolve("GET", "/face/v1.2/detect")
    assert res.status == 405 and res.allowed == ("POST",)
    assert r.resolve("post", "/face/v1.2/detect").target == "detect"
    assert r.resolve("GET", "/face/v1.2/nosuch").status == 404
    assert r.resolve("GET", "/").status == 404
    assert r.resolve("PATCH", "/anything").target == "anything"  # no methods: all of them


def test_route_prefix():
    r = make_router("api")
    assert r.resolve("POST", "/api/face/v1.2/detect").target == "detect"
    assert r.resolve("POST", "/face/v1.2/detect").status == 404


def test_route_prefix_from_host_json(tmp_path):
    assert find_route_prefix(None) == "api"
    (tmp_path / "host.json").write_text('{"version": "2.0"}')
    assert find_route_prefix(tmp_path / "host.json") == "api"
    (tmp_path / "host.json").write_text('{"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}')
    assert find_route_prefix(tmp_path / "host.json") == ""


# --------------------------------------------------------------------------- cron

UTC = timezone.utc


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_cron_every_five_minutes():
    s = CronSchedule.parse("0 */5 * * * *")
    assert s.next_after(at(2025, 1, 1, 10, 2, 30)) == at(2025, 1, 1, 10, 5, 0)
    assert s.next_after(at(2025, 1, 1, 10, 5, 0)) == at(2025, 1, 1, 10, 10, 0)
    assert s.next_after(at(2025, 12, 31, 23, 59, 0)) == at(2026, 1, 1, 0, 0, 0)
    assert s.matches(at(2025, 1, 1, 10, 55, 0)) and not s.matches(at(2025, 1, 1, 10, 55, 1))


def test_cron_lists_ranges_steps_names():
    s = CronSchedule.parse("15,45 0-10/5 9-17 * JAN-MAR MON-FRI")
    assert s.seconds == {15, 45} and s.minutes == {0, 5, 10} and s.hours == set(range(9, 18))
    assert s.months == {1, 2, 3} and s.weekdays == {1, 2, 3, 4, 5}
    # 2025-01-04 is a Saturday: the next run is Monday 09:00:15
    assert s.next_after(at(2025, 1, 4, 12, 0, 0)) == at(2025, 1, 6, 9, 0, 15)
    assert s.next_after(at(2025, 3, 31, 17, 10, 45)) == at(2026, 1, 1, 9, 0, 15)  # Thu 1 Jan 2026


def test_cron_day_and_weekday_both_match_and_sunday_is_0_or_7():
    s = CronSchedule.parse("0 0 12 13 * 5")  # Friday the 13th, noon
    assert s.next_after(at(2025, 1, 1)) == at(2025, 6, 13, 12, 0, 0)
    assert CronSchedule.parse("0 0 0 * * 7").weekdays == {0}
    assert CronSchedule.parse("0 0 0 * * SUN").next_after(at(2025, 1, 1)) == at(2025, 1, 5)


def test_cron_five_fields_and_a_offset_step():
    assert CronSchedule.parse("*/10 * * * *").seconds == {0}
    assert CronSchedule.parse("5/20 * * * * *").seconds == {5, 25, 45}


@pytest.mark.parametrize("bad", ["* * * * *  * *", "60 * * * * *", "* * 24 * * *", "*/0 * * * * *",
                                 "a * * * * *", "5-1 * * * * *", "", "0 0 0 31 2 *"])
def test_cron_rejects_bad_expressions(bad):
    with pytest.raises(CronError):
        parse_schedule(bad).next_after(at(2025, 1, 1))


def test_timespan_schedule():
    s = parse_schedule("00:00:30")
    assert isinstance(s, IntervalSchedule) and s.every == timedelta(seconds=30)
    assert parse_schedule("1.02:00:00").every == timedelta(days=1, hours=2)
