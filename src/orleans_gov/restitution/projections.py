"""Projections of the shipped scenarios for the fiche's scenario section, computed once for the 23 fiches and memoised
on disk (``$TMPDIR/orleans_gov_cache``, keyed by the sha256 of everything they depend on)."""
from __future__ import annotations

import hashlib
import pickle
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydantic

import orleans_gov
import orleans_gov.scenarios as moteur
from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurScenario
from orleans_gov.base.fichiers import ecrire_atomique
from orleans_gov.restitution.chargement import SectionIndisponible
from orleans_gov.restitution.scenarios.tableaux import tableau_effets_communes


class Projections(list):
    """List of (scenario, counterfactual) projection pairs, with the invalid scenario files (``invalides``) and
    the per-entity effect table of each scenario (``effets``: name → ``restitution.tableau_effets_communes``),
    computed once for the 23 fiches."""

    def __init__(self, paires: list, invalides: list[str] | None = None,
                 effets: dict[str, pd.DataFrame] | None = None) -> None:
        super().__init__(paires)
        self.invalides = list(invalides or [])
        self.effets = dict(effets or {})


COUCHES_MOTEUR = ("scenarios", "base", "sources", "construction", "echantillon")
"""Packages whose code and YAML files feed the projections (the engine, its dated legal parameters under
``base/parametres``, the readers and the table builders)."""


def entrees_cache(fichiers: list, dossier_donnees=None) -> list[Path]:
    """Every file the memoised projections depend on: the scenario files, every processed table (the engine reads
    several of them — finances, flows, functions, staff, support functions, competences, populations — and a table
    added later must invalidate the cache too), the raw competence files the engine reads (the table of the
    agglomeration when the processed one is missing, the competences required by category), the ``.py`` and
    ``.yaml`` files of :data:`COUCHES_MOTEUR` and the code of the scenario presentation (the effect tables)."""
    cat = Catalogue.depuis(dossier_donnees)
    racine = Path(__file__).resolve().parents[1]
    entrees = [Path(f) for f in fichiers]
    entrees += sorted(cat.processed.glob("*.parquet"))
    entrees += [cat.competences, cat.competences_par_categorie]
    entrees += sorted(p for couche in COUCHES_MOTEUR for p in (racine / couche).rglob("*")
                      if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts)
    entrees += [Path(__file__)] + sorted((Path(__file__).parent / "scenarios").rglob("*.py"))
    return entrees


def chemin_cache(fichiers: list, dossier_donnees=None, annee_reference: int | None = None) -> Path:
    """``$TMPDIR/orleans_gov_cache/scenarios-<sha256>.pkl``: the key covers ``annee_reference``, the versions of
    ``orleans_gov``, numpy, pandas and pydantic, and the name and bytes of every file of :func:`entrees_cache`."""
    h = hashlib.sha256(repr(annee_reference).encode())
    h.update(repr((orleans_gov.__version__, np.__version__, pd.__version__, pydantic.VERSION)).encode())
    for p in entrees_cache(fichiers, dossier_donnees):
        h.update(str(Path(p).name).encode())
        h.update(Path(p).read_bytes() if Path(p).exists() else b"<absent>")
    return Path(tempfile.gettempdir()) / "orleans_gov_cache" / f"scenarios-{h.hexdigest()[:32]}.pkl"


def projections_scenarios(dossier_donnees=None, annee_reference: int | None = None,
                          cache: bool = True) -> list[tuple[Any, Any]]:
    """Projection of every shipped scenario and of its counterfactual without action (for the scenario section).

    The 23 fiches need the same projections: they are memoised on disk (``$TMPDIR/orleans_gov_cache``), keyed by
    the sha256 of everything they depend on (:func:`chemin_cache`) — the scenario files, the processed tables and
    raw competence files read by the engine, its source code and legal parameters, the library versions and
    ``annee_reference`` — so a changed input recomputes, and an unchanged one gives the
    identical (pickled) result. ``cache=False`` always recomputes. Invalid scenario files are skipped and listed
    in the ``invalides`` attribute of the returned list (they are not cached); none valid → SectionIndisponible.
    """
    fichiers = list(moteur.scenarios_livres())
    if not fichiers:
        raise SectionIndisponible("aucun scénario n'est livré dans config/scenarios")
    chemin = chemin_cache(fichiers, dossier_donnees, annee_reference)
    if cache and chemin.exists():
        try:
            with open(chemin, "rb") as flux:
                charge = pickle.load(flux)
            if isinstance(charge, Projections):
                return charge
        except Exception:  # noqa: BLE001 - a damaged cache is recomputed
            pass
    donnees = moteur.charger_donnees(dossier_donnees)
    paires = []
    invalides: list[str] = []
    for fichier in fichiers:
        try:
            sc = moteur.charger_scenario(fichier, annee_reference=annee_reference)
        except ErreurScenario as exc:
            # An invalid scenario file is reported in the fiche (and fails notebook 03 loudly); the other
            # scenarios are still shown.
            invalides.append(f"{Path(fichier).name} : {exc}")
            continue
        paires.append((moteur.projeter(sc, donnees), moteur.projeter(sc.sans_actions(), donnees)))
    if not paires:
        raise SectionIndisponible("aucun fichier de scénario valide — " + " ; ".join(invalides))
    resultat = Projections(paires, invalides, {res.scenario.nom: tableau_effets_communes(res, ref)
                                               for res, ref in paires if res.scenario.actions})
    if invalides:
        return resultat
    if cache:
        ecrire_atomique(chemin, pickle.dumps(resultat, protocol=pickle.HIGHEST_PROTOCOL))
    return resultat
