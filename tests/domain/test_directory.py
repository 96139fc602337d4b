"""The federation directory, as the referral service and the hub read it."""
from __future__ import annotations

import json
import logging

import pytest

from services.common.directory import (
    VARIABLE, DirectoryError, FederationDirectory, Node, parse, parse_directory, read_directory,
)
from services.reporting.adapters.nodes import REQUIRED as HUB_REQUIRED

HUB = {"required": HUB_REQUIRED, "non_empty": True}


def by_org(nodes: list[Node]) -> dict[str, Node]:
    return {n.org: n for n in nodes}


# ---------------------------------------------------------------- as the hub reads it


def test_directory_is_parsed():
    nodes = parse_directory({"nodes": [
        {"org": "mir", "name": "MiR", "reporting": "mir-reporting:50054", "referral": "mir-referral:50053"},
        {"org": "mira", "name": "MiRA-Senteret", "reporting": "tls://reporting.mira.no:443"},
    ]}, "federation.json", **HUB)
    assert [(n.org, n.reporting) for n in nodes] == [("mir", "mir-reporting:50054"),
                                                     ("mira", "tls://reporting.mira.no:443")]


def test_directory_problems_name_the_file_and_entry():
    with pytest.raises(DirectoryError) as err:
        parse_directory({"nodes": [
            {"org": "mir", "name": "MiR", "reporting": "mir-reporting:50054"},
            {"org": "MiRA!", "name": "", "reporting": "nowhere"},
            {"org": "mir", "name": "again", "reporting": "x:1", "referral": 5},
            "mkr",
        ]}, "federation.json", **HUB)
    problems = err.value.problems
    assert all(p.startswith("federation.json: nodes[") for p in problems)
    assert any("nodes[1].org" in p for p in problems)
    assert any("nodes[1].name" in p for p in problems)
    assert any("nodes[1].reporting" in p and "'nowhere'" in p for p in problems)
    assert any("nodes[2] (org 'mir') repeats" in p for p in problems)
    assert any("nodes[2] (org 'mir').referral" in p for p in problems)
    assert any(p.startswith("federation.json: nodes[3] must be an object") for p in problems)
    for bad in ([], {"nodes": {}}, {"nodes": []}):
        with pytest.raises(DirectoryError) as err:
            parse_directory(bad, "federation.json", **HUB)
        assert err.value.problems[0].startswith("federation.json: ")


# ---------------------------------------------------------------- as the referral service reads it


def test_the_directory_is_parsed_and_every_problem_named_with_file_and_entry():
    nodes = by_org(parse(json.dumps({"nodes": [{"org": "mira", "name": "MiRA-Senteret",
                                                "referral": "mira-referral:50053",
                                                "reporting": "mira-reporting:50054"}]}), "federation.json"))
    assert nodes["mira"].referral == "mira-referral:50053" and nodes["mira"].name == "MiRA-Senteret"
    hub_style = by_org(parse(json.dumps({"nodes": [{"org": "mkr", "name": "Minhaj Konfliktråd",
                                                    "reporting": "r:1"}]}), "f"))
    assert hub_style["mkr"].referral == ""  # listed, but takes no referrals
    bad = {"nodes": [{"org": "mir", "referral": "nowhere"}, {"org": "Bad Org"}, {"org": "mkr", "referral": "h:1"},
                     {"org": "mkr", "referral": "h:2"}, "x"]}
    with pytest.raises(DirectoryError) as err:
        parse(json.dumps(bad), "federation.json")
    text = str(err.value)
    assert "federation.json: nodes[0] (org 'mir').referral" in text
    assert "nodes[1].org" in text and "'Bad Org'" in text
    assert "nodes[3] (org 'mkr') repeats the org of nodes[2]" in text
    assert "nodes[4] must be an object" in text
    for raw in ("{", "[]", '{"nodes": {}}'):
        with pytest.raises(DirectoryError) as err:
            parse(raw, "federation.json")
        assert str(err.value).startswith("federation.json: ")


def test_each_reader_asks_only_for_what_it_needs():
    sparse = {"nodes": [{"org": "mir", "referral": "mir-referral:50053"}, {"org": "mkr", "name": "  MKR "}]}
    assert parse_directory(sparse, "federation.json") == [
        Node(org="mir", referral="mir-referral:50053"), Node(org="mkr", name="MKR")]
    assert parse_directory({"nodes": []}, "federation.json") == []
    with pytest.raises(DirectoryError) as err:
        parse_directory(sparse, "federation.json", **HUB)
    assert err.value.problems == [
        "federation.json: nodes[0] (org 'mir').name is required: the organisation's display name",
        "federation.json: nodes[0] (org 'mir').reporting must be the node's reporting service as host:port "
        "(e.g. mir-reporting:50054), got None",
        "federation.json: nodes[1] (org 'mkr').reporting must be the node's reporting service as host:port "
        "(e.g. mir-reporting:50054), got None",
    ]


# ---------------------------------------------------------------- the file


def test_the_file_is_read_and_its_problems_named(tmp_path):
    with pytest.raises(DirectoryError) as err:
        read_directory("")
    assert str(err.value).startswith(f"{VARIABLE} is not set")
    missing = tmp_path / "nowhere.json"
    with pytest.raises(DirectoryError) as err:
        read_directory(str(missing))
    assert str(err.value) == f"{missing}: the federation directory file does not exist ({VARIABLE})"
    broken = tmp_path / "broken.json"
    broken.write_text('{"nodes": [\n  {"org": "mir",}\n]}')
    with pytest.raises(DirectoryError) as err:
        read_directory(str(broken))
    assert str(err.value).startswith(f"{broken}: not valid JSON at line 2")


def test_a_changed_file_is_reread_and_a_broken_one_ignored(tmp_path, caplog):
    file = tmp_path / "federation.json"
    file.write_text(json.dumps({"nodes": [{"org": "mir", "name": "MiR", "referral": "mir-referral:50053"}]}))
    directory = FederationDirectory(str(file))
    assert directory.configured and not FederationDirectory("").configured
    assert list(directory.nodes()) == ["mir"]

    file.write_text(json.dumps({"nodes": [{"org": "mir", "name": "MiR", "referral": "mir-referral:50053"},
                                          {"org": "mira", "name": "MiRA-Senteret"}]}))
    assert list(directory.nodes()) == ["mir", "mira"]
    assert directory.get("mira").name == "MiRA-Senteret" and directory.get("mkr") is None
    assert list(directory.referral_targets()) == ["mir"]  # mira takes no referrals

    file.write_text('{"nodes": [{"org": "mir"')
    with caplog.at_level(logging.ERROR, logger="services.common.directory"):
        assert list(directory.nodes()) == ["mir", "mira"]  # the last good version stays in use
        assert list(directory.nodes()) == ["mir", "mira"]
    assert len([r for r in caplog.records if "still using the previous version" in r.getMessage()]) == 1
    with pytest.raises(DirectoryError):
        directory.load()
    with pytest.raises(DirectoryError):
        FederationDirectory(str(file)).nodes()  # nothing good to fall back on
