"""The demo narrative file (reports/demo/narrative.yaml): which blocks each demo справка carries and
the plain-text format a coordinator types. Reads the YAML files only; no database."""

import re
from pathlib import Path

import pytest
import yaml

DEMO = Path(__file__).resolve().parent.parent / "demo"
NARRATIVE = yaml.safe_load((DEMO / "narrative.yaml").read_text(encoding="utf-8"))

OPENING = ["introduction"]
CLOSING = ["problems", "tasks", "recommendations"]


def programme(data_file):
    return yaml.safe_load((DEMO / data_file).read_text(encoding="utf-8"))["programme"]


# (programme configuration, period of the demo справка)
DEMO_PROGRAMMES = [(programme("tomsk.yaml"), 2019), (programme("tula.yaml"), 2019)]


BLOCKS = [
    pytest.param(text, id=f"{slug}-{period}-{key}")
    for slug, periods in NARRATIVE.items()
    for period, texts in periods.items()
    for key, text in texts.items()
]


def test_the_file_holds_one_period_of_each_demo_programme():
    assert {slug: list(periods) for slug, periods in NARRATIVE.items()} == {
        config["slug"]: [period] for config, period in DEMO_PROGRAMMES
    }


@pytest.mark.parametrize(("config", "period"), DEMO_PROGRAMMES, ids=[c["slug"] for c, _ in DEMO_PROGRAMMES])
def test_blocks_are_the_introduction_a_commentary_per_section_and_closing_parts_in_print_order(config, period):
    keys = list(NARRATIVE[config["slug"]][period])
    sections = list(config["report_sections"])
    assert keys[: len(OPENING)] == OPENING
    assert keys[len(OPENING) : len(OPENING) + len(sections)] == sections
    assert set(keys[len(OPENING) + len(sections) :]) <= set(CLOSING)
    assert keys[len(OPENING) + len(sections) :] == [k for k in CLOSING if k in keys]


@pytest.mark.parametrize("text", BLOCKS)
def test_a_block_is_plain_paragraphs_and_dash_lists(text):
    assert isinstance(text, str) and text.strip()
    assert "\n\n\n" not in text
    assert not re.search(r"<[a-zA-Z/!]", text), "no HTML"
    assert "**" not in text and "`" not in text and not re.search(r"\]\(", text), "no Markdown"
    for line in text.splitlines():
        assert line == line.strip(), f"no indentation or trailing spaces: {line!r}"
        assert not re.match(r"(#|\*|\+|>|\d+[.)] |-\S)", line), f"only '- ' starts a list item: {line!r}"


@pytest.mark.parametrize("text", BLOCKS)
def test_large_numbers_are_grouped_with_a_plain_space_and_only_years_are_not(text):
    assert "\u00a0" not in text
    for run in re.findall(r"\d{4,}", text):
        assert 1900 <= int(run) <= 2099, f"four digits or more in a row must be a year (2 584, not 2584): {run}"
