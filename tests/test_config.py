import pytest

from reader.config import ConfigError, Settings, load_settings, resolve_annotator, save_setting
from reader.labels import default_label_file, digit_keys, load_labels


def test_settings_round_trip_and_unknown_keys_kept(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('annotator = "maya"\nreading_width = 72\nmine = "kept"\n', encoding="utf-8")
    settings = load_settings(path)
    assert (settings.annotator, settings.reading_width, settings.theme) == ("maya", 72, "textual-dark")
    save_setting("theme", "nord", path)
    text = path.read_text(encoding="utf-8")
    assert 'theme = "nord"' in text and 'mine = "kept"' in text
    assert load_settings(path).theme == "nord"


@pytest.mark.parametrize(
    "content, message",
    [
        ("reading_width = 5\n", "between 20 and 400"),
        ('reading_width = "wide"\n', "reading_width should be"),
        ("annotator = [\n", "config.toml"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "config.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path)
    assert "\n" not in str(info.value)


def test_annotator_precedence():
    assert resolve_annotator("flag", Settings(annotator="file")) == "flag"
    assert resolve_annotator(None, Settings(annotator="file")) == "file"
    assert resolve_annotator(None, Settings()) != ""


def test_default_labels():
    labels = load_labels(default_label_file())
    assert [l.name for l in labels] == ["fact", "opinion", "boilerplate", "entity"]
    assert [l.layer for l in labels] == ["segment", "segment", "segment", "entity"]
    assert {d: l.name for d, l in digit_keys(labels).items()} == {
        "1": "fact", "2": "opinion", "3": "boilerplate", "4": "entity",
    }


@pytest.mark.parametrize(
    "body, message",
    [
        ('[[label]]\nname = "a"\nlayer = "other"\n', "layer must be"),
        ('[[label]]\nname = "a"\ncolour = "red"\n', "colour must look like"),
        ('[[label]]\nname = "a"\nkey = "z"\n[[label]]\nname = "b"\nkey = "z"\n', "already used by a"),
        ('[[label]]\nname = "a"\n[[label]]\nname = "a"\n', "appears twice"),
        ("title = 'no labels'\n", "no \\[\\[label\\]\\] entries"),
    ],
)
def test_bad_label_files(tmp_path, body, message):
    path = tmp_path / "labels.toml"
    path.write_text(body, encoding="utf-8")
    from reader.config import ConfigError as Error

    with pytest.raises(Error, match=message):
        load_labels(path)
