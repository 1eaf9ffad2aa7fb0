"""The label set a database uses: read once and cached, replaced only when the stored spans fit."""

from __future__ import annotations

from .base import StoreBase
from .errors import LabelMismatch, StoreError
from .models import LAYERS, Label


class LabelSetMixin(StoreBase):
    """Mixed into Store."""

    def labels(self) -> list[Label]:
        return list(self._label_map().values())

    def label(self, name: str) -> Label:
        try:
            return self._label_map()[name]
        except KeyError:
            raise StoreError(f"unknown label {name!r}") from None

    def _label_map(self) -> dict[str, Label]:
        if self._labels is None:
            rows = self.conn.execute(
                "SELECT name, layer, key, colour, unit, description FROM labels ORDER BY position, name"
            ).fetchall()
            self._labels = {row[0]: Label(*row) for row in rows}
        return self._labels

    def set_labels(self, labels: list[Label]) -> None:
        """Make `labels` the label set in use. Refuses (LabelMismatch) when stored spans use a
        label the new set does not have."""
        names = [label.name for label in labels]
        if len(set(names)) != len(names):
            raise StoreError("the label set names a label twice")
        for label in labels:
            if label.layer not in LAYERS:
                raise StoreError(f"label {label.name!r} has unknown layer {label.layer!r}")
        # Every command sets the label set on opening; when nothing changes, taking the write lock
        # would only make readers wait behind (and time out against) busy writers.
        if self._label_map() == {l.name: l for l in labels} and list(self._label_map()) == names:
            return
        if self.read_only:
            # Nothing can be written: the set is used for this run only, if the spans fit it.
            used = [r[0] for r in self.conn.execute("SELECT DISTINCT label FROM annotations")]
            missing = sorted(name for name in used if name not in names)
            if missing:
                raise LabelMismatch(missing)
            self._labels = {l.name: l for l in labels}
            return
        with self._write() as conn:
            used = [r[0] for r in conn.execute("SELECT DISTINCT label FROM annotations ORDER BY 1")]
            missing = [name for name in used if name not in names]
            if missing:
                raise LabelMismatch(missing)
            placeholders = ",".join("?" for _ in names)
            conn.execute(f"DELETE FROM labels WHERE name NOT IN ({placeholders})", names)
            conn.executemany(
                "INSERT INTO labels (name, key, colour, layer, unit, description, position) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET key = excluded.key, "
                "colour = excluded.colour, layer = excluded.layer, unit = excluded.unit, "
                "description = excluded.description, position = excluded.position",
                [
                    (l.name, l.key, l.colour, l.layer, l.unit, l.description, i)
                    for i, l in enumerate(labels)
                ],
            )
        self._labels = None
