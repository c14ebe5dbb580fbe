"""One loader per notebook: the processed tables and analysis results each deliverable needs, in a small dataclass.

- :func:`contexte_diagnostic` — notebook 01 (finances, bloc communal, policies, competences);
- :func:`contexte_organisations` — notebook 02 (staff, support functions, police municipale);
- notebooks 03/04 (projection of every scenario): :mod:`.chargement_scenarios`, apart so that 01, 02 and 10 do
  not import the scenario engine and its pydantic models (issue 16: time to the first cell);
- :func:`contexte_fiche` — notebook 10 (one entity; a missing table makes its sections unavailable, never zeros).

This module is the only place of :mod:`orleans_gov.restitution` that reads the processed tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from orleans_gov.analyse import bloc as an_bloc
from orleans_gov.analyse import finances as an_finances
from orleans_gov.analyse import organisations as an_organisations
from orleans_gov.analyse import politiques as an_politiques
from orleans_gov.analyse import strates as an_strates
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import SIREN_AGGLO, nom_entite, verifier_entite
from orleans_gov.construction import charger
from orleans_gov.restitution.bandeau import est_exemple
from orleans_gov.restitution.finances import note_provenance
from orleans_gov.restitution.textes import de

__all__ = ["charger", "ContexteDiagnostic", "contexte_diagnostic", "ContexteOrganisations", "contexte_organisations",
           "ContexteFiche", "contexte_fiche", "SectionIndisponible"]


class SectionIndisponible(Exception):
    """A section of a deliverable cannot be produced (missing table or data); the message is French."""


def _periode(df: pd.DataFrame, debut: int, fin: int) -> pd.DataFrame:
    return df[(df["an"] >= debut) & (df["an"] <= fin)]


# ------------------------------------------------------------------------------------------------
# Notebook 01
# ------------------------------------------------------------------------------------------------
@dataclass
class ContexteDiagnostic:
    """Tables and results of the diagnostic (notebook 01) for ``annee`` and the period ``annee_debut``–``annee``."""

    annee: int
    annee_debut: int
    evolution_possible: bool
    fin_communes: pd.DataFrame
    fin_agglo: pd.DataFrame
    fc: pd.DataFrame                  # communes' accounts of the period
    fa: pd.DataFrame                  # agglomeration's accounts of the period
    depenses: pd.DataFrame
    depenses_annee: pd.DataFrame
    territoire: pd.DataFrame
    perimetre: Any
    competences: pd.DataFrame
    indicateurs: pd.DataFrame
    comparaison: pd.DataFrame
    bloc: pd.DataFrame
    dep_hab: pd.DataFrame
    centralite: pd.DataFrame
    integration: pd.DataFrame         # taux d'intégration of the year, both sections
    ecarts: pd.DataFrame              # entity-years whose spending by function does not add up to the accounts
    matrice_competences: pd.DataFrame
    exemple_fin: bool
    exemple_dep: bool
    source_fin: str
    source_dep: str
    source_fin_graphe: str
    source_dep_graphe: str


def contexte_diagnostic(annee_reference: int, annee_debut: int, dossier_donnees=None) -> ContexteDiagnostic:
    """Load and compute everything notebook 01 shows. ``annee_reference`` must be a year of the accounts
    (``ValueError`` naming the years available); ``annee_debut`` is raised to the first year available."""
    annee, debut = int(annee_reference), int(annee_debut)
    t = {n: charger(n, dossier_donnees) for n in ("finances_communes", "finances_agglo", "flux_agglo_communes",
                                                   "depenses_fonction", "territoire", "perimetre",
                                                   "moyennes_strates", "competences")}
    fin_communes, fin_agglo, depenses = t["finances_communes"], t["finances_agglo"], t["depenses_fonction"]
    annees = sorted(set(fin_communes["an"]))
    if annee not in annees:
        raise ValueError(f"annee_reference = {annee} absente des comptes (années disponibles : {annees[0]}–{annees[-1]})")
    debut = max(debut, annees[0])
    fc, fa = _periode(fin_communes, debut, annee), _periode(fin_agglo, debut, annee)
    dep_an = depenses[depenses["an"] == annee]
    dep_hab = an_politiques.depenses_par_habitant(dep_an, an_politiques.populations_dgfip(fin_communes))
    prov_fin, prov_dep = note_provenance(fc, cle="code_insee"), note_provenance(dep_an)
    comptes = (f"DGFiP, comptes individuels des communes (budget principal) et du groupement à fiscalité propre "
               f"(budgets principal et annexes), exercices {debut}-{annee}")
    return ContexteDiagnostic(
        annee=annee, annee_debut=debut, evolution_possible=debut < annee, fin_communes=fin_communes,
        fin_agglo=fin_agglo, fc=fc, fa=fa, depenses=depenses, depenses_annee=dep_an, territoire=t["territoire"],
        perimetre=t["perimetre"], competences=t["competences"],
        indicateurs=an_finances.indicateurs_entites(fc, fa),
        comparaison=an_strates.comparaison_strate(fc, moyennes=t["moyennes_strates"]),
        bloc=an_bloc.bloc_communal(fc, fa, _periode(t["flux_agglo_communes"], debut, annee)),
        dep_hab=dep_hab, centralite=an_politiques.charges_centralite(dep_hab, annee),
        integration=an_politiques.taux_integration(depenses, annee),
        ecarts=an_politiques.ecarts_depenses_comptes(dep_an, fin_communes, fin_agglo),
        matrice_competences=an_politiques.matrice_competences(t["competences"]),
        exemple_fin=est_exemple(fc) or est_exemple(fa), exemple_dep=est_exemple(dep_an),
        source_fin=f"{comptes} — {prov_fin}",
        source_dep=(f"Dépenses par fonction M14 (présentation fonctionnelle), exercice {annee} — {prov_dep} ; "
                    "population DGFiP des comptes individuels (agglomération : somme des communes)"),
        source_fin_graphe=(f"DGFiP, comptes individuels (communes : budget principal ; agglomération : budgets "
                           f"principal et annexes), {debut}-{annee} — {prov_fin}"),
        source_dep_graphe=f"Dépenses par fonction M14, {annee} — {prov_dep} ; population DGFiP",
    )


# ------------------------------------------------------------------------------------------------
# Notebook 02
# ------------------------------------------------------------------------------------------------
@dataclass
class ContexteOrganisations:
    """Tables and results of the organisation comparison (notebook 02) for the year analysed ``annee``."""

    annee: int
    note_annee: str                   # why the year analysed differs from the one asked for ("" when it does not)
    effectifs: pd.DataFrame           # staff lines of the year (filière × catégorie × statut)
    support: pd.DataFrame             # support functions of the year
    competences_exercees: pd.DataFrame
    competences: pd.DataFrame
    police: pd.DataFrame
    indicateurs: pd.DataFrame         # analyse.organisations.indicateurs_personnel
    comparaison: pd.DataFrame         # analyse.organisations.comparer_a_la_strate
    exemple: bool
    noms: dict[str, str]
    ordre: list[str]                  # communes by decreasing population, then the agglomeration
    source_collecte: str
    source_fin: str
    source_pop: str


def contexte_organisations(annee_reference: int, dossier_donnees=None) -> ContexteOrganisations:
    """Load and compute everything notebook 02 shows; the latest collection year when ``annee_reference`` has no
    returned workbook (said in ``note_annee``)."""
    t = {n: charger(n, dossier_donnees) for n in ("effectifs", "effectifs_totaux", "fonctions_support",
                                                   "competences_exercees", "territoire", "finances_communes",
                                                   "finances_agglo", "police_municipale", "competences")}
    totaux = t["effectifs_totaux"]
    annees = sorted(set(totaux["an"]))
    if not annees:
        raise ValueError("aucun classeur de collecte importé : lancer « orleans-gov collecte importer » ou « make data »")
    annee_reference = int(annee_reference)
    annee, note = annee_reference, ""
    if annee_reference not in annees:
        annee = max(annees)
        note = (f"Les classeurs de collecte ne couvrent pas {annee_reference} (années disponibles : "
                f"{', '.join(map(str, annees))}) : l'analyse porte sur {annee}.")
    ind = an_organisations.indicateurs_personnel(totaux, t["effectifs"], t["territoire"], t["finances_communes"],
                                                 t["finances_agglo"], annee=annee)
    ordre = ind.sort_values(["niveau", "population"], ascending=[False, False])["entite"].tolist()

    def an(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["an"] == annee]

    return ContexteOrganisations(
        annee=annee, note_annee=note, effectifs=an(t["effectifs"]), support=an(t["fonctions_support"]),
        competences_exercees=an(t["competences_exercees"]), competences=t["competences"],
        police=t["police_municipale"], indicateurs=ind, comparaison=an_organisations.comparer_a_la_strate(ind),
        exemple=est_exemple(an(totaux)["provenance"]),
        noms=dict(zip(t["territoire"]["entite"], t["territoire"]["nom"])),
        ordre=[e for e in ordre if e != SIREN_AGGLO] + [SIREN_AGGLO],
        source_collecte=f"classeurs de collecte {annee} (effectifs au 31/12, ETP, charges de personnel déclarées)",
        source_fin=f"DGFiP, comptes individuels des communes et des groupements à fiscalité propre {annee}",
        source_pop=f"INSEE, populations municipales {annee} (table territoire)",
    )


# ------------------------------------------------------------------------------------------------
# Notebook 10
# ------------------------------------------------------------------------------------------------
@dataclass
class ContexteFiche:
    """One entity's fiche: its parameters, the tables read so far and whether sample data has been shown."""

    entite: str
    annee: int
    annee_debut: int
    dossier_donnees: Any
    exemple: bool = False
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def agglo(self) -> bool:
        return self.entite == SIREN_AGGLO

    @property
    def nom(self) -> str:
        return nom_entite(self.entite)

    def table(self, nom: str) -> pd.DataFrame:
        """Processed table ``nom`` (read once) or :class:`SectionIndisponible` saying which one is missing."""
        if nom not in self.tables:
            try:
                self.tables[nom] = charger(nom, self.dossier_donnees)
            except (ErreurDonnees, FileNotFoundError, OSError) as exc:
                raise SectionIndisponible(f"la table « {nom} » n'est pas disponible ({exc})") from exc
        return self.tables[nom]

    def marquer(self, *frames) -> bool:
        """True when one of the frames shown holds sample data; the fiche then ends with the banner."""
        ex = any(est_exemple(d) for d in frames if d is not None and "provenance" in getattr(d, "columns", []))
        self.exemple = self.exemple or ex
        return ex


def contexte_fiche(entite: str, annee_reference: int, annee_debut: int, dossier_donnees=None) -> ContexteFiche:
    """The fiche of ``entite`` (INSEE code, commune SIREN or the agglomeration's SIREN; ``KeyError`` otherwise)."""
    return ContexteFiche(verifier_entite(str(entite)), int(annee_reference), int(annee_debut), dossier_donnees)


# ------------------------------------------------------------------------------------------------
# What is real (the banner of every deliverable)
# ------------------------------------------------------------------------------------------------
_REELS: list[tuple[str, str, str | None]] = [
    # table, what it holds (French), entity column (None: the table as a whole)
    ("finances_communes", "comptes DGFiP", "code_insee"),
    ("finances_agglo", "comptes DGFiP", "siren"),
    ("ofgl_agglo", "agrégats d'investissement OFGL", "siren"),
    ("moyennes_strates", "moyennes de strate DGFiP", None),
    ("police_municipale", "effectifs de police municipale (ministère de l'Intérieur)", None),
]


def donnees_reelles(dossier_donnees=None) -> list[tuple[str, int | None, int | None]]:
    """What the processed tables hold as real (``provenance == "réel"``): ``(quoi, première année, dernière
    année)``, one entry per table and entity (« comptes DGFiP d'Orléans », 2013, 2014); the table of competences and
    the INSEE populations of the perimeter are always real (years ``None``). A missing table is skipped."""
    out: list[tuple[str, int | None, int | None]] = []
    for table, quoi, col in _REELS:
        try:
            t = charger(table, dossier_donnees)
        except (FileNotFoundError, ErreurDonnees):
            continue
        r = t[~t["provenance"].map(est_exemple)] if "provenance" in t.columns else t.iloc[0:0]
        if not len(r):
            continue
        groupes = r.groupby(r[col].astype(str)) if col else [(None, r)]
        for ent, g in groupes:
            qui = "" if ent is None else (" de l'agglomération" if ent == SIREN_AGGLO else f" {de(nom_entite(ent))}")
            out.append((quoi + qui, int(g["an"].min()), int(g["an"].max())))
    out.append(("populations INSEE et composition du périmètre", None, None))
    out.append(("table des compétences (statuts et textes cités ligne à ligne)", None, None))
    return out
