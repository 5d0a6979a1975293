"""settings.toml: the agreement's defaults, overrides, and clear refusals."""

import pytest

from service_quality.settings import DEFAULT_SETTINGS, Settings, load_settings


def test_defaults_are_the_agreements_numbers():
    assert load_settings(DEFAULT_SETTINGS) == Settings()


@pytest.mark.parametrize("text, field, value", [
    ('[ticket]\nhandling_target_minutes = { severe = 240 }\n', "handling_target_minutes",
     {"severe": 240}),
    ('handling_target_minutes = { severe = 240 }\n', "handling_target_minutes", {"severe": 240}),
    ('[calendar]\nworking_hours = ["08:30-12:00", "14:00-17:30"]\n', "working_hours",
     ((510, 720), (840, 1050))),
    ('response_limit_minutes = 5\n', "response_limit_minutes", 5),
])
def test_overrides(tmp_path, text, field, value):
    path = tmp_path / "s.toml"
    path.write_text(text)
    assert getattr(load_settings(path), field) == value


@pytest.mark.parametrize("text, message", [
    ("[ticket]\nrespons_limit = 3\n", "unknown setting respons_limit"),
    ('[calendar]\nworking_hours = ["9-5"]\n', "cannot read '9-5'"),
    ('[calendar]\nworking_hours = ["08:00-12:00", "11:00-17:00"]\n', "overlap"),
    ('[ticket]\nreport_required_for = "some"\n', 'must be "all" or "severe"'),
    ("[ticket\n", "not valid TOML"),
])
def test_refusals_name_the_file(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as e:
        load_settings(path)
    assert str(path) in str(e.value) and message in str(e.value)
