"""Persistent caches of the scenario notebooks (03, 04; issue 16): the Monte-Carlo bands (10 000 draws per
scenario, the costliest computation of the notebook) and the projections themselves (every scenario and its
counterfactual, 0,7–1 s for the eight shipped scenarios).

Monte-Carlo: one file per scenario and set of draws, ``<data>/processed/.cache_scenarios/monte-carlo-<empreinte>.bin``,
written by the first computation (notebook 03, ``orleans-gov scenario``) and read by the next ones. Projections: one
file per set of scenarios, ``projections-<empreinte>.pkl`` (:func:`projections_en_cache`), same key without the
draws' settings, with the list of the scenarios instead of one. The name is a hidden
folder on purpose: the cache is a pure function of inputs that the deliverables' fingerprints already cover
(:mod:`orleans_gov.rendu.entrees` leaves hidden files out), so writing it never makes a deliverable « modified ».

The key (:func:`empreinte_monte_carlo`, sha256) covers everything that feeds the numbers: the scenario as
validated (every key after inheritance of its ``base``, explicit parameter overrides included) and the bytes of
its file; the content of every processed table the engine reads (values, columns and types, hashed from the
loaded frames — :data:`orleans_gov.scenarios.donnees.OBLIGATOIRES` and ``FACULTATIVES``) and the bytes of the other
files it reads (:func:`empreinte_fichiers`: competences, populations, competences by category); the source code and
the YAML files of ``orleans_gov.scenarios`` and of the layers below it (``construction``, ``echantillon``, ``sources``,
``base``: engine, readers, dated legal parameters, perimeter);
the versions of ``orleans_gov``, numpy and pandas; the indicators, ``n_tirages``, the seed, the summary measure and the
batch size. The horizon and the reference year are keys of the scenario.

File format (byte-deterministic): one line of canonical JSON (format, key, indicators, shapes, sha256 of the
payload), then the payload: each indicator's quantiles (3 × 24 × years, float64 little-endian) and the draws of
the summary measure. A file whose header, key, sizes or sha256 do not match is ignored and rewritten: a damaged
cache costs a recomputation, never a wrong number. ``ORLEANS_GOV_CACHE_SCENARIOS=0`` in the environment turns the
cache off (nothing read, nothing written: e.g. to time the notebook without it).

The projections file holds the same JSON header line, then a pickle of the projected objects (:class:`Resultat`
with its scenario, frames and reference state: what the notebook uses, tornado and bands included). It is read only
when the header's key and the payload's sha256 match; the sha256 guards against a damaged file, not against a
forged one — like the processed tables beside it, the folder must only be writable by its users.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import orleans_gov
from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.fichiers import ecrire_atomique
from orleans_gov.scenarios.actions.gouvernance_conseil import dossier_donnees
from orleans_gov.scenarios.donnees import FACULTATIVES, OBLIGATOIRES, DonneesReference
from orleans_gov.scenarios.schema import Scenario
from orleans_gov.scenarios.sensibilite import TAILLE_LOT, MonteCarlo, assembler, quantiles_tirages

FORMAT = "orleans_gov/monte-carlo/1"
FORMAT_PROJECTIONS = "orleans_gov/projections/1"
MAX_PROJECTIONS = 4
"""Projection files kept per data folder (≈ 11 Mo each for the 8 shipped scenarios and their counterfactuals)."""
BANDES_CARNET = ("epargne_nette", "capacite_desendettement")
N_TIRAGES_CARNET = 10_000
"""The bands notebook 03 draws with its default parameters (``orleans-gov scenario`` fills the cache with them)."""
DOSSIER_CACHE = ".cache_scenarios"
VARIABLE_SANS_CACHE = "ORLEANS_GOV_CACHE_SCENARIOS"
MAX_FICHIERS = 64
"""Cache files kept per data folder (the most recent; 8 shipped scenarios ≈ 0,7 Mo)."""
_RACINE_CODE = Path(orleans_gov.__file__).resolve().parent
_CODE: dict[str, str] = {}


def empreinte_code() -> str:
    """sha256 of the source files (``.py``, ``.yaml``) of ``orleans_gov.scenarios`` and of every layer it may import
    (``construction``, ``sources``, ``base``: the engine reads the competence tables through ``sources.referentiel``)
    (computed once per process)."""
    if "code" not in _CODE:
        h = hashlib.sha256()
        for sous in ("scenarios", "construction", "echantillon", "sources", "base"):
            for p in sorted((_RACINE_CODE / sous).rglob("*")):
                if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts:
                    h.update(p.relative_to(_RACINE_CODE).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
        _CODE["code"] = h.hexdigest()
    return _CODE["code"]


def empreinte_table(df: pd.DataFrame | None) -> str:
    """sha256 of a table's content: column names and types, then the values row by row (pandas' stable hash)."""
    if df is None:
        return "absente"
    h = hashlib.sha256(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def empreinte_donnees(donnees: DonneesReference) -> str:
    """sha256 of every processed table the engine reads (kept in ``donnees._cache`` with the frames it covers)."""
    tables = {"finances_communes": donnees.finances_communes, "finances_agglo": donnees.finances_agglo,
              "flux_agglo_communes": donnees.flux, "depenses_fonction": donnees.depenses_fonction,
              "effectifs": donnees.effectifs, "fonctions_support": donnees.fonctions_support,
              "budgets_annexes": donnees.budgets_annexes}
    assert set(tables) == set(OBLIGATOIRES + FACULTATIVES)
    ids = tuple(id(t) for t in tables.values())
    deja = donnees._cache.get("empreinte_donnees")
    if deja is None or deja[0] != ids:
        h = {nom: empreinte_table(df) for nom, df in sorted(tables.items())}
        deja = donnees._cache["empreinte_donnees"] = (ids, hashlib.sha256(repr(h).encode()).hexdigest(),
                                                      list(tables.values()))
    return deja[1]


FICHIERS_MOTEUR = ("competences", "populations")
"""Processed tables the engine reads beside :class:`DonneesReference` (competences of the agglomeration: transfers
of a change of category; populations municipales: seats and the new category's dotation)."""


def empreinte_fichiers(donnees: DonneesReference) -> str:
    """sha256 of the files the engine reads outside :class:`DonneesReference`: the processed tables
    :data:`FICHIERS_MOTEUR` and the raw competence files (``competences_agglo-orleans.csv``, read when the processed
    table is missing; ``competences_par_categorie.csv``, the backtest of a change of category) of the data folder the
    tables came from — their bytes (processed files are byte-deterministic), « absent » for a missing one."""
    cat = Catalogue.depuis(dossier_donnees(donnees))
    chemins = {nom: cat.table(nom) for nom in FICHIERS_MOTEUR}
    chemins.update({"competences (brut)": cat.competences, "competences_par_categorie": cat.competences_par_categorie})
    h = hashlib.sha256()
    for nom, chemin in sorted(chemins.items()):
        h.update(nom.encode() + b"\0")
        h.update(hashlib.sha256(chemin.read_bytes()).digest() if chemin.is_file() else b"absent")
    return h.hexdigest()


def empreinte_scenario(scenario: Scenario) -> str:
    """sha256 of a scenario as validated (every key) and of the bytes of its file (when it has one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # pydantic: year keys serialised as text (harmless here)
        d = scenario.model_dump(mode="python")
    h = hashlib.sha256(repr(sorted(d.items())).encode("utf-8"))
    f = Path(scenario.fichier) if scenario.fichier else None
    h.update(f.read_bytes() if f is not None and f.is_file() else b"<sans fichier>")
    return h.hexdigest()


def empreinte_monte_carlo(scenario: Scenario, donnees: DonneesReference, indicateurs: tuple[str, ...],
                          n_tirages: int, graine: int, mesure: str, taille_lot: int) -> str:
    """The key of one cache file (see the module docstring for what it covers)."""
    entrees = {"format": FORMAT, "orleans_gov": orleans_gov.__version__, "numpy": np.__version__,
               "pandas": pd.__version__,
               "code": empreinte_code(), "scenario": empreinte_scenario(scenario),
               "donnees": empreinte_donnees(donnees), "fichiers": empreinte_fichiers(donnees), "indicateurs": list(indicateurs), "n_tirages": int(n_tirages),
               "graine": int(graine), "mesure": mesure, "taille_lot": int(taille_lot)}
    return hashlib.sha256(json.dumps(entrees, sort_keys=True).encode()).hexdigest()


def chemin_cache(dossier_donnees, empreinte: str) -> Path:
    return Catalogue.depuis(dossier_donnees).processed / DOSSIER_CACHE / f"monte-carlo-{empreinte[:40]}.bin"


def encoder(empreinte: str, quantiles: dict[str, np.ndarray], tirages: np.ndarray) -> bytes:
    """The bytes of a cache file (deterministic: canonical JSON header, then little-endian float64 arrays)."""
    morceaux = [np.ascontiguousarray(q, dtype="<f8").tobytes() for q in quantiles.values()]
    morceaux.append(np.ascontiguousarray(tirages, dtype="<f8").tobytes())
    charge = b"".join(morceaux)
    entete = {"format": FORMAT, "empreinte": empreinte, "indicateurs": list(quantiles),
              "formes": [list(q.shape) for q in quantiles.values()], "n": int(len(tirages)),
              "sha256": hashlib.sha256(charge).hexdigest()}
    return json.dumps(entete, sort_keys=True, separators=(",", ":")).encode() + b"\n" + charge


def decoder(contenu: bytes, empreinte: str) -> tuple[dict[str, np.ndarray], np.ndarray] | None:
    """The arrays of a cache file, or None when it is not the file of ``empreinte`` or is damaged."""
    try:
        ligne, _, charge = contenu.partition(b"\n")
        entete = json.loads(ligne.decode("utf-8"))
        if entete.get("format") != FORMAT or entete.get("empreinte") != empreinte:
            return None
        if hashlib.sha256(charge).hexdigest() != entete["sha256"]:
            return None
        tailles = [int(np.prod(f)) for f in entete["formes"]] + [int(entete["n"])]
        if 8 * sum(tailles) != len(charge):
            return None
        tout = np.frombuffer(charge, dtype="<f8").astype("float64")
        out, debut = {}, 0
        for nom, forme, n in zip(entete["indicateurs"], entete["formes"], tailles):
            out[nom] = tout[debut:debut + n].reshape(forme)
            debut += n
        return out, tout[debut:].copy()
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def elaguer(dossier: Path, garder: int | None = None, motif: str = "monte-carlo-*.bin") -> None:
    """Keep the :data:`MAX_FICHIERS` most recent cache files of ``dossier`` matching ``motif`` (each change of
    code or data makes new keys: the files of former keys would otherwise pile up)."""
    garder = MAX_FICHIERS if garder is None else garder
    fichiers = sorted(dossier.glob(motif), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    for p in fichiers[garder:]:
        p.unlink(missing_ok=True)


def monte_carlo_en_cache(resultat: Any, donnees: DonneesReference, indicateurs: tuple[str, ...],
                         n_tirages: int = 10_000, graine: int = 2014, mesure: str = "epargne_nette_cumulee",
                         taille_lot: int = TAILLE_LOT, dossier_donnees=None, cache: bool = True
                         ) -> dict[str, MonteCarlo]:
    """:func:`orleans_gov.scenarios.sensibilite.monte_carlo_indicateurs` of a projected scenario (``resultat``:
    its reference state and effects are reused), read from the cache when its file exists and is intact, else
    computed and written (a folder that cannot be written is not an error: the numbers are returned).
    ``cache=False`` (or ``ORLEANS_GOV_CACHE_SCENARIOS=0``) always computes and writes nothing."""
    sc = resultat.scenario
    indicateurs = tuple(dict.fromkeys(indicateurs))
    if not cache or os.environ.get(VARIABLE_SANS_CACHE, "").strip() == "0":
        q, t = quantiles_tirages(sc, donnees, indicateurs, n_tirages=n_tirages, graine=graine, mesure=mesure,
                                 taille_lot=taille_lot, _prepare=(resultat.base, resultat.effets))
        return assembler(sc, q, t, n_tirages, graine)
    cle = empreinte_monte_carlo(sc, donnees, indicateurs, n_tirages, graine, mesure, taille_lot)
    chemin = chemin_cache(dossier_donnees, cle)
    lu = decoder(chemin.read_bytes(), cle) if chemin.is_file() else None
    if lu is None:
        q, t = quantiles_tirages(sc, donnees, indicateurs, n_tirages=n_tirages, graine=graine, mesure=mesure,
                                 taille_lot=taille_lot, _prepare=(resultat.base, resultat.effets))
        try:
            chemin.parent.mkdir(parents=True, exist_ok=True)
            ecrire_atomique(chemin, encoder(cle, q, t))
            elaguer(chemin.parent)
        except OSError:
            pass
        lu = (q, t)
    return assembler(sc, lu[0], lu[1], n_tirages, graine)


def empreinte_projections(scenarios: list[Scenario], donnees: DonneesReference) -> str:
    """The key of a projections file: the scenarios in their order (:func:`empreinte_scenario`: every key, the
    reference year and the horizon included, and the bytes of each file), the data (:func:`empreinte_donnees`,
    :func:`empreinte_fichiers`), the code and the versions of ``orleans_gov``, numpy, pandas and pydantic."""
    import pydantic  # the scenarios are pydantic models (pickled with the projections)

    entrees = {"format": FORMAT_PROJECTIONS, "orleans_gov": orleans_gov.__version__, "numpy": np.__version__,
               "pandas": pd.__version__, "pydantic": pydantic.VERSION, "code": empreinte_code(),
               "scenarios": [empreinte_scenario(sc) for sc in scenarios],
               "donnees": empreinte_donnees(donnees), "fichiers": empreinte_fichiers(donnees)}
    return hashlib.sha256(json.dumps(entrees, sort_keys=True).encode()).hexdigest()


def chemin_projections(dossier_donnees, empreinte: str) -> Path:
    return Catalogue.depuis(dossier_donnees).processed / DOSSIER_CACHE / f"projections-{empreinte[:40]}.pkl"


def encoder_projections(empreinte: str, objet: Any) -> bytes:
    """JSON header line (format, key, sha256 of the payload), then the pickle of ``objet``."""
    charge = pickle.dumps(objet, protocol=pickle.HIGHEST_PROTOCOL)
    entete = {"format": FORMAT_PROJECTIONS, "empreinte": empreinte, "sha256": hashlib.sha256(charge).hexdigest()}
    return json.dumps(entete, sort_keys=True, separators=(",", ":")).encode() + b"\n" + charge


def decoder_projections(contenu: bytes, empreinte: str) -> Any | None:
    """The objects of a projections file, or None when it is not the file of ``empreinte`` or is damaged."""
    try:
        ligne, _, charge = contenu.partition(b"\n")
        entete = json.loads(ligne.decode("utf-8"))
        if entete.get("format") != FORMAT_PROJECTIONS or entete.get("empreinte") != empreinte:
            return None
        if hashlib.sha256(charge).hexdigest() != entete["sha256"]:
            return None
        return pickle.loads(charge)
    except Exception:   # any damage (truncated pickle, missing class after a change…) costs a recomputation
        return None


def projections_en_cache(scenarios: list[Scenario], donnees: DonneesReference, calculer, dossier_donnees=None,
                         cache: bool = True):
    """``calculer()`` (the projections of ``scenarios``: any picklable object) read from the cache when its file
    exists and is intact, else computed and written (a folder that cannot be written is not an error).
    ``cache=False`` (or ``ORLEANS_GOV_CACHE_SCENARIOS=0``) always computes and writes nothing. The memo of
    comparisons each :class:`Resultat` keeps (keyed by object ids) is emptied before writing."""
    if not cache or os.environ.get(VARIABLE_SANS_CACHE, "").strip() == "0":
        return calculer()
    cle = empreinte_projections(scenarios, donnees)
    chemin = chemin_projections(dossier_donnees, cle)
    lu = decoder_projections(chemin.read_bytes(), cle) if chemin.is_file() else None
    if lu is not None:
        return lu
    objet = calculer()
    _vider_comparaisons(objet)
    try:
        chemin.parent.mkdir(parents=True, exist_ok=True)
        ecrire_atomique(chemin, encoder_projections(cle, objet))
        elaguer(chemin.parent, garder=MAX_PROJECTIONS, motif="projections-*.pkl")
    except OSError:
        pass
    return objet


def _vider_comparaisons(objet: Any) -> None:
    if hasattr(objet, "comparaisons") and isinstance(objet.comparaisons, dict):
        objet.comparaisons.clear()
    elif isinstance(objet, dict):
        for v in objet.values():
            _vider_comparaisons(v)
    elif isinstance(objet, (list, tuple)):
        for v in objet:
            _vider_comparaisons(v)


__all__ = ["BANDES_CARNET", "N_TIRAGES_CARNET", "DOSSIER_CACHE", "VARIABLE_SANS_CACHE", "FORMAT", "chemin_cache", "decoder", "empreinte_code", "empreinte_donnees",
           "empreinte_monte_carlo", "empreinte_scenario", "empreinte_table", "elaguer", "encoder", "monte_carlo_en_cache",
           "FORMAT_PROJECTIONS", "MAX_PROJECTIONS", "chemin_projections", "decoder_projections", "empreinte_fichiers",
           "empreinte_projections", "encoder_projections", "projections_en_cache"]
