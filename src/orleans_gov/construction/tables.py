"""Build ``data/processed/`` from ``data/raw/`` (``orleans-gov donnees`` / ``make data``) and load the tables.

Rules (docs/TABLES.md): real rows win over sample rows for the same entity and year
(:func:`orleans_gov.base.provenance.reel_prioritaire`); missing stays missing; outputs are byte-identical on rebuild
(sorted rows, fixed column order, deterministic Parquet: :func:`orleans_gov.base.fichiers.ecrire_parquet`).

One module per processed table or small family of tables, each declaring the contract of its tables
(:mod:`.contrat`) and a ``construire(catalogue)``: :mod:`.finances` (``finances_communes``, ``finances_agglo``),
:mod:`.territoire` (``populations``, ``territoire``, ``perimetre``), :mod:`.referentiels` (``police_municipale``,
``moyennes_strates``, ``competences``, ``ofgl_agglo``), :mod:`.collecte` (``effectifs``, ``effectifs_totaux``,
``fonctions_support``, ``competences_exercees``, ``depenses_fonction``, ``flux_agglo_communes``),
:mod:`.budgets_annexes` (``budgets_annexes``), :mod:`.chiffres_publies` (``chiffres_publies``). Every table is
checked against its contract before anything is written.
"""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.fichiers import ecrire_parquet, verifier_inscriptible
from orleans_gov.base.provenance import contient_exemple
from orleans_gov.construction import budgets_annexes, chiffres_publies, collecte, finances, referentiels, territoire
from orleans_gov.construction.contrat import Contrat, verifier
from orleans_gov.construction.etat import Etat, effacer_etat, enregistrer_etat, entrees_construction, etat_construction
from orleans_gov.construction.lecture import NOMS_TABLES, charger, connues
from orleans_gov.echantillon.comptes import generer as generer_echantillon

__all__ = ["CONTRATS", "TABLES", "charger", "construire", "construire_si_necessaire", "contient_exemple",
           "ecrire_table"]

FAMILLES = (finances, territoire, referentiels, collecte, budgets_annexes, chiffres_publies)
"""The construction modules, in build order; each has ``CONTRATS`` and ``construire(catalogue)``."""
CONTRATS: dict[str, Contrat] = {nom: c for m in FAMILLES for nom, c in m.CONTRATS.items()}
TABLES: tuple[str, ...] = tuple(CONTRATS)


if TABLES != NOMS_TABLES:  # pragma: no cover - the short loading path must know exactly the built tables
    raise ImportError(f"construction.lecture.NOMS_TABLES {NOMS_TABLES} ≠ tables des contrats {TABLES}")


def _connues(noms: Iterable[str], cat: Catalogue) -> tuple[str, ...]:
    return connues(noms, cat)


def ecrire_table(nom: str, df: pd.DataFrame, dossier=None) -> Path:
    """Check ``df`` against the contract of table ``nom`` then write ``processed/<nom>.parquet`` (deterministic,
    atomic). Raises :class:`~orleans_gov.construction.contrat.ErreurTable` on a breach (nothing is written)."""
    cat = Catalogue.depuis(dossier)
    _connues([nom], cat)
    effacer_etat(cat.racine)   # the processed folder no longer is the output of the recorded full build
    return ecrire_parquet(verifier(df, CONTRATS[nom]), cat.table(nom))


class _Barre:
    """Progress of ``construire`` on stderr: one step per family, drawn after two seconds and refreshed twice a
    second by a daemon thread (the elapsed time moves during a long step); nothing at all, not even the tqdm
    import, unless asked and stderr is a terminal (never in tests, notebooks or redirected logs)."""

    def __init__(self, actif: bool, total: int) -> None:
        self.tqdm = None
        if not actif or not getattr(sys.stderr, "isatty", lambda: False)():
            return
        from tqdm import tqdm  # third-party import kept lazy: only a terminal run draws a bar
        self.tqdm = tqdm(total=total, desc="Données", unit="étape", delay=2, file=sys.stderr, leave=False,
                         bar_format="{desc} : {n_fmt}/{total_fmt} étapes |{bar}| {elapsed}")
        self.fin = threading.Event()
        threading.Thread(target=self._rafraichir, daemon=True).start()

    def _rafraichir(self) -> None:
        debut = time.monotonic()
        while not self.fin.wait(0.5):
            if time.monotonic() - debut >= 2:
                self.tqdm.refresh()

    def etape(self, suivante: str, faite: bool = True) -> None:
        """Mark one step done (``faite``) and name the one now running."""
        if self.tqdm is not None:
            self.tqdm.set_description_str(f"Données — {suivante}" if suivante else "Données", refresh=False)
            self.tqdm.update(1 if faite else 0)

    def fermer(self) -> None:
        if self.tqdm is not None:
            self.fin.set()
            self.tqdm.close()


def construire(dossier=None, verbeux: bool = False, *, tables: Iterable[str] | None = None,
               barre: bool = False) -> dict[str, Path]:
    """Rebuild the processed tables and return the written paths by name.

    A full build (``tables=None``) generates the sample first when it is absent. ``tables``: only these tables (and
    only the families that hold them are computed), from ``data/raw`` as it stands. Every table is built and checked
    against its contract before the first one is written. ``barre``: a progress bar on stderr (one step per family,
    the sample, the checks and the writing) when stderr is a terminal and the build lasts over two seconds.
    A full build records its inputs and outputs (:mod:`.etat`, ``processed/.construction.json``); a partial one
    forgets them, so that :func:`construire_si_necessaire` never takes a partial rebuild for an up-to-date one.
    """
    cat = Catalogue.depuis(dossier)
    demandees = TABLES if tables is None else _connues(tables, cat)
    verifier_inscriptible(cat.processed)   # a read-only processed folder is reported before any computation
    echantillon = tables is None and not (cat.dgfip_communes_sample.exists() and cat.budgets_annexes_sample.exists())
    familles = [f for f in FAMILLES if set(f.CONTRATS) & set(demandees)]
    barre_ = _Barre(barre, len(familles) + 2 + echantillon)
    noms = [f.__name__.rpartition(".")[2] for f in familles] + ["contrats", "écriture"]
    try:
        if echantillon:
            barre_.etape("exemple", faite=False)
            generer_echantillon(cat.racine)
        barre_.etape(noms[0], faite=echantillon)
        construites: dict[str, pd.DataFrame] = {}
        for famille, suivante in zip(familles, noms[1:]):
            construites.update({nom: df for nom, df in famille.construire(cat).items() if nom in demandees})
            barre_.etape(suivante)
        for nom, df in construites.items():
            verifier(df, CONTRATS[nom])
        barre_.etape("écriture")
        effacer_etat(cat.racine)
        ecrits = {nom: ecrire_parquet(df, cat.table(nom)) for nom, df in construites.items()}
        barre_.etape("")
    finally:
        barre_.fermer()
    if tables is None:
        # fingerprinted after the build: it may have written the sample into raw/ (the only raw write it makes)
        enregistrer_etat(cat.racine, entrees_construction(cat.racine))
    if verbeux:
        for nom, df in construites.items():
            print(f"  {nom:<22} {len(df):>6} lignes  → {ecrits[nom]}")
    return ecrits


def construire_si_necessaire(dossier=None, verbeux: bool = False, *, tout: bool = False,
                             barre: bool = False) -> tuple[Etat, dict[str, Path]]:
    """Full build of ``processed/`` unless it is up to date (:func:`.etat.etat_construction`: same raw files,
    configuration, construction code and library versions as the last full build, every table present with the
    bytes it wrote); ``tout`` forces the build. Returns the state found before and the tables written (empty when
    nothing was rebuilt)."""
    etat = etat_construction(dossier)
    if etat.a_jour and not tout:
        return etat, {}
    return etat, construire(dossier, verbeux, barre=barre)
