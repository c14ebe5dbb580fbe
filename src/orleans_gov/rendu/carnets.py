"""Notebooks as the renderer sees them: examined before rendering, fingerprinted, and made deterministic after.

- :func:`lire_carnet` reads a notebook and says precisely why it cannot be rendered (:class:`CarnetInvalide`:
  unreadable file, invalid JSON with line and column, not a notebook, not valid against nbformat's schema, no
  ``parameters`` cell): the deliverable is then reported as failed and the others still render (issue 15);
- :func:`empreinte_carnet` is the sha256 of what a notebook *is* for rendering — cell types, sources and the
  metadata that change the output (tags…) — ignoring outputs, execution counts, cell ids and the metadata that
  Jupyter rewrites on every save (``execution``, ``collapsed``, ``scrolled``, ``language_info``…);
- :func:`normaliser_execute` makes an executed notebook byte-identical between runs: deterministic cell ids (the
  source notebook's own ids, else derived from the notebook's name and the cell's position; ``og-parametres`` for
  the cell papermill injects) and no timestamps (papermill's start/end times and durations, nbclient's
  ``metadata.execution``: the durations are in ``manifest.json``); the output path is the file name only.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

ETIQUETTE_PARAMETRES = "parameters"
ETIQUETTE_INJECTEE = "injected-parameters"
ID_INJECTE = "og-parametres"
# cell metadata that changes nothing in the rendered output (written by Jupyter on save or by execution)
METADONNEES_CELLULE_IGNOREES = {"execution", "collapsed", "scrolled", "ExecuteTime", "papermill", "jupyter",
                                "vscode", "editable", "deletable", "trusted"}
# notebook metadata that the renderer reads; the rest (language_info, widgets…) is rewritten by Jupyter
METADONNEES_CARNET_RETENUES = ("kernelspec", "orleans_gov")
CHAMPS_TEMPORELS_PAPERMILL = ("start_time", "end_time", "duration")
_RE_AFFECTATION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=")


class CarnetInvalide(ValueError):
    """A notebook that cannot be rendered; the message names the file and the reason."""


def _premiere_ligne(texte: str, n: int = 300) -> str:
    ligne = next((x.strip() for x in str(texte).splitlines() if x.strip()), "")
    return ligne[:n]


_VALIDEURS: dict[int, Any] = {}


def _valideur(mineure: int):
    """fastjsonschema validator of nbformat's own v4.<mineure> schema (the closest one shipped), compiled once.

    Not ``nbformat.validate``: importing nbformat's validator imports jsonschema and its format checkers, about
    3 s of CPU here — the whole budget of a rerun where nothing changed. The workers, which execute, use nbformat.
    """
    import fastjsonschema  # third-party (a dependency of nbformat), lazy: light

    if mineure not in _VALIDEURS:
        dossier = Path(importlib.util.find_spec("nbformat").submodule_search_locations[0]) / "v4"
        disponibles = sorted(int(m.group(1)) for f in dossier.glob("nbformat.v4.*.schema.json")
                             if (m := re.match(r"nbformat\.v4\.(\d+)\.schema\.json", f.name)))
        choisie = max([m for m in disponibles if m <= mineure] or disponibles[:1])
        schema = json.loads((dossier / f"nbformat.v4.{choisie}.schema.json").read_text(encoding="utf-8"))
        _VALIDEURS[mineure] = fastjsonschema.compile(schema)
    return _VALIDEURS[mineure]


def _lire_ancien_format(texte: str, chemin: Path) -> dict:
    """A notebook of nbformat < 4, upgraded by nbformat itself (rare: slow import)."""
    import nbformat  # third-party, lazy

    try:
        return nbformat.reads(texte, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several unrelated classes
        raise CarnetInvalide(f"{chemin.name} : format nbformat invalide ({type(exc).__name__} : "
                             f"{_premiere_ligne(exc)})") from exc


def lire_carnet(chemin: str | Path) -> dict:
    """The notebook at ``chemin`` (its JSON, checked against nbformat's schema), or :class:`CarnetInvalide` naming
    the file and the reason. Cells without an id in a v4.5+ notebook are accepted, as nbformat does."""
    chemin = Path(chemin)
    try:
        texte = chemin.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CarnetInvalide(f"{chemin.name} : fichier illisible ({type(exc).__name__} : {exc})") from exc
    try:
        nb = json.loads(texte)
    except json.JSONDecodeError as exc:
        raise CarnetInvalide(f"{chemin.name} : JSON invalide (ligne {exc.lineno}, colonne {exc.colno} : "
                             f"{exc.msg})") from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("nbformat"), int) or "cells" not in nb \
            and nb.get("nbformat", 0) >= 4:
        raise CarnetInvalide(f"{chemin.name} : ce n'est pas un carnet Jupyter (clés « nbformat » et « cells » "
                             "attendues au premier niveau)")
    if nb["nbformat"] < 4:
        nb = _lire_ancien_format(texte, chemin)
    elif nb["nbformat"] > 4:
        raise CarnetInvalide(f"{chemin.name} : format nbformat {nb['nbformat']} non pris en charge (attendu : 4)")
    mineure = nb.get("nbformat_minor", 0) if isinstance(nb.get("nbformat_minor"), int) else 0
    a_valider = nb
    if mineure >= 5 and isinstance(nb.get("cells"), list):
        a_valider = {**nb, "cells": [({**c, "id": c.get("id") or f"x{i}"} if isinstance(c, dict) else c)
                                     for i, c in enumerate(nb["cells"])]}
    try:
        _valideur(mineure)(a_valider)
    except Exception as exc:  # noqa: BLE001 - fastjsonschema.JsonSchemaException (and its subclasses)
        raison = _premiere_ligne(getattr(exc, "message", exc))
        raise CarnetInvalide(f"{chemin.name} : format nbformat invalide ({raison})") from exc
    if cellule_parametres(nb) is None:
        raise CarnetInvalide(f"{chemin.name} : aucune cellule de code étiquetée « {ETIQUETTE_PARAMETRES} » "
                             "(papermill y injecte les paramètres du livrable)")
    return nb


def cellule_parametres(nb) -> Any | None:
    """The first code cell tagged ``parameters``, or None."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and ETIQUETTE_PARAMETRES in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def parametres_declares(nb) -> set[str]:
    """Names assigned in the cell tagged ``parameters`` (read statically, the notebook is not executed)."""
    cell = cellule_parametres(nb)
    if cell is None:
        return set()
    return {m.group(1) for ligne in _source(cell).splitlines() if (m := _RE_AFFECTATION.match(ligne))}


def _source(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def contenu_normalise(nb) -> dict[str, Any]:
    """What a notebook is for rendering: cells (type, source, output-relevant metadata) and retained metadata."""
    cellules = []
    for cell in nb.get("cells", []):
        meta = {k: v for k, v in dict(cell.get("metadata", {})).items() if k not in METADONNEES_CELLULE_IGNOREES}
        cellules.append({"type": cell.get("cell_type"), "source": _source(cell), "metadata": meta})
    metadata = nb.get("metadata", {})
    meta_nb = {k: metadata[k] for k in METADONNEES_CARNET_RETENUES if k in metadata}
    return {"cellules": cellules, "metadata": meta_nb}


def empreinte_carnet(nb) -> str:
    """sha256 of :func:`contenu_normalise` (canonical JSON): outputs and ids do not count."""
    texte = json.dumps(contenu_normalise(nb), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def ids_du_fichier(chemin: str | Path) -> list[str | None]:
    """Cell ids as written in the file (before nbformat adds random ones to cells that have none)."""
    try:
        brut = json.loads(Path(chemin).read_text(encoding="utf-8"))
        return [c.get("id") if isinstance(c, dict) else None for c in brut.get("cells", [])]
    except (OSError, ValueError, AttributeError):
        return []


def id_deterministe(nom: str, position: int) -> str:
    """A valid nbformat cell id (``[a-zA-Z0-9-_]{1,64}``) derived from the notebook's name and a cell position."""
    return "og-" + hashlib.sha256(f"{nom}:{position}".encode()).hexdigest()[:12]


def normaliser_execute(nb, nom: str, ids_source: list[str | None]) -> Any:
    """Make the executed notebook ``nb`` deterministic (in place; returned for convenience).

    ``ids_source``: :func:`ids_du_fichier` of the source notebook; cells keep the id written there (matched by
    position, the injected parameters cell excepted) and the others get :func:`id_deterministe`.
    """
    gardes = {i for i in ids_source if i}
    vus: set[str] = set()
    position_source = 0
    for position, cell in enumerate(nb.cells):
        meta = cell.setdefault("metadata", {})
        meta.pop("execution", None)
        pm_cell = meta.get("papermill")
        if isinstance(pm_cell, dict):
            for champ in CHAMPS_TEMPORELS_PAPERMILL:
                pm_cell.pop(champ, None)
        if ETIQUETTE_INJECTEE in meta.get("tags", []):
            nouvel = ID_INJECTE
        else:
            propre = ids_source[position_source] if position_source < len(ids_source) else None
            position_source += 1
            nouvel = propre if propre in gardes and cell.get("id") == propre else id_deterministe(nom, position)
        while nouvel in vus:
            nouvel = id_deterministe(nom + "+", position + len(vus))
        vus.add(nouvel)
        if "id" in cell or nb.get("nbformat_minor", 0) >= 5:
            cell["id"] = nouvel
    pm_nb = nb.metadata.get("papermill")
    if isinstance(pm_nb, dict):
        for champ in CHAMPS_TEMPORELS_PAPERMILL:
            pm_nb.pop(champ, None)
        if pm_nb.get("output_path"):
            pm_nb["output_path"] = Path(str(pm_nb["output_path"])).name
    return nb
