"""Projection of a scenario and its results: the long table, the details of each action, the legal parameters
used, comparisons between scenarios."""
from __future__ import annotations

import copy
import hashlib
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO, nom_entite
from orleans_gov.scenarios.actions import Effets, effets_actions
from orleans_gov.scenarios.actions.indicateurs import lignes_indicateurs
from orleans_gov.scenarios.annexes import CONSOLIDE, PRINCIPAL, principal_par_difference, projeter_annexes
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.dotations import PARAMETRES_MOTEUR
from orleans_gov.scenarios.etat import E, Base, etat_reference
from orleans_gov.scenarios.noyau import BLOC, INDICATEURS, SEULS_AGGLO, bloc, noyau
from orleans_gov.scenarios.schema import Scenario
from orleans_gov.scenarios.schema.erreurs import erreur_scenario

COLONNES = ["scenario", "entite", "annee", "indicateur", "valeur"]
COLONNES_BUDGETS = ["scenario", "entite", "budget", "annee", "indicateur", "valeur"]
"""Columns of ``resultats.csv``: one row per scenario × entité × budget × année × indicateur."""
SANS_TEOM = ("TEOM de l'agglomération absente des comptes utilisés (pas de colonne « teom » dans finances_agglo) : "
             "le CIF l'omet alors que l'art. L.5211-30 CGCT la compte dans les recettes de l'EPCI ; 20 à 30 M€ de "
             "TEOM ajouteraient de 0,04 à 0,06 au CIF")
SANS_ANNEXES = ("table « budgets_annexes » absente ou sans ligne pour l'année de référence : l'agglomération est "
                "présentée consolidée (comptes DGFiP des groupements, budget principal et budgets annexes "
                "ensemble), sans détail par budget ; la CRFP est calculée sur ses RRF consolidées")


@dataclass
class Resultat:
    """Projection of one scenario: the long table (:data:`COLONNES`), the details of each action, the reference
    state, the effects, and the legal parameters used each year (``parametres``: one line per year and
    parameter, with its reference and whether the scenario overrode it)."""

    scenario: Scenario
    long: pd.DataFrame
    details: dict[str, pd.DataFrame]
    base: Base
    effets: Effets
    parametres: pd.DataFrame = field(default_factory=pd.DataFrame)
    budgets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLONNES_BUDGETS))
    avertissements: list[str] = field(default_factory=list)
    comparaisons: dict = field(default_factory=dict, repr=False, compare=False)   # id(reference) -> (reference, frame)

    def tableau(self) -> pd.DataFrame:
        """The rows of ``resultats.csv`` (:data:`COLONNES_BUDGETS`): the projection of every entity (``budget`` =
        « principal » for the communes, « consolidé » for the agglomeration — DGFiP GFP accounts — and the bloc),
        then the agglomeration's budgets annexes and its budget principal by difference (:mod:`.annexes`)."""
        t = self.long.copy()
        t.insert(2, "budget", np.where(t["entite"].isin([SIREN_AGGLO, BLOC]), CONSOLIDE, PRINCIPAL))
        return pd.concat([t, self.budgets[COLONNES_BUDGETS]], ignore_index=True) if len(self.budgets) else t

    @property
    def exemple(self) -> bool:
        return "exemple" in self.base.provenances

    def large(self, indicateur: str, entites: list[str] | None = None) -> pd.DataFrame:
        """Entity × year table of one indicator."""
        d = self.long[self.long["indicateur"] == indicateur]
        t = d.pivot(index="entite", columns="annee", values="valeur")
        ordre = [e for e in list(ENTITES) + [BLOC] if e in t.index]
        t = t.loc[entites or ordre]
        t.columns.name = None
        return t


def parametres_utilises(scenario: Scenario) -> pd.DataFrame:
    """The legal parameters the engine read, for each year R … fin: value, unit, reference, override."""
    regles = scenario.parametres_legaux()
    lignes = []
    for annee in [scenario.annee_reference] + scenario.annees:
        for nom in PARAMETRES_MOTEUR:
            p = regles.parametre(nom)
            v = p.en_vigueur(annee)
            lignes.append({"annee": annee, "parametre": nom, "valeur": v.valeur, "unite": p.unite,
                           "reference": v.reference, "surcharge": p.surcharge})
    return pd.DataFrame(lignes)


def _verifier(scenario: Scenario, sorties: dict[str, np.ndarray]) -> None:
    for k in ("personnel", "autres_charges", "depenses_equipement"):
        neg = np.argwhere(sorties[k][0] < -1e-6)
        if len(neg) and scenario.actions:
            e, t = neg[0]
            raise erreur_scenario([("actions", (
                f"les actions retirent plus que le montant projeté de « {k} » pour {ENTITES[e]} "
                f"({nom_entite(ENTITES[e])}) en {scenario.annee_reference + int(t)} ({sorties[k][0][e, t]:.1f} k€) : "
                f"vérifier part_fonction / part_fonction_0 / part_personnel"))], scenario.fichier)


def projeter(scenario: Scenario, donnees: DonneesReference) -> Resultat:
    """Year-by-year projection of every commune, the agglomeration and the bloc communal.

    Reference-year state (:func:`~orleans_gov.scenarios.etat.etat_reference`), effects of the actions
    (:func:`~orleans_gov.scenarios.actions.effets_actions`), vectorised core
    (:func:`~orleans_gov.scenarios.noyau.noyau`), then the long table (k€; ``taux_epargne_brute`` in %,
    ``capacite_desendettement`` in years, ``cif`` a coefficient, ``etp`` in FTE — units of
    :mod:`orleans_gov.base.vocabulaire`).

    >>> from orleans_gov.scenarios import DOSSIER_SCENARIOS, charger_donnees, charger_scenario, projeter
    >>> sc = charger_scenario(DOSSIER_SCENARIOS / "transfert-voirie.yaml")
    >>> res = projeter(sc, charger_donnees())
    >>> list(res.long.columns)
    ['scenario', 'entite', 'annee', 'indicateur', 'valeur']
    >>> res.large("epargne_brute").shape          # 22 communes + agglomeration + bloc, 2013–2020
    (24, 8)
    >>> sorted(res.details)
    ['actions[0] transfert']
    """
    base = etat_reference(donnees, scenario)
    eff = effets_actions(scenario, donnees, base)
    sorties = noyau(scenario, base, eff)
    _verifier(scenario, sorties)
    b = bloc(sorties)
    annees = [scenario.annee_reference] + scenario.annees
    # one frame built from the concatenated columns (rows in the order of the former one-frame-per-indicator concat)
    ent = np.array(list(ENTITES), dtype=object)
    T = len(annees)
    col_e, col_a, col_i, col_v = [], [], [], []
    for k in INDICATEURS:
        col_e.append(np.repeat(ent, T))
        col_a.append(np.tile(np.asarray(annees, dtype="int64"), E))
        col_i.append(np.full(E * T, k, dtype=object))
        col_v.append(np.asarray(sorties[k][0], dtype="float64").reshape(-1))   # (E, T)
        if k in b:
            col_e.append(np.full(T, BLOC, dtype=object))
            col_a.append(np.asarray(annees, dtype="int64"))
            col_i.append(np.full(T, k, dtype=object))
            col_v.append(np.asarray(b[k][0], dtype="float64"))
    long = pd.DataFrame({"entite": np.concatenate(col_e), "annee": np.concatenate(col_a),
                         "indicateur": np.concatenate(col_i), "valeur": np.concatenate(col_v)})
    # indicators that only exist for the agglomeration / the bloc
    seul_agglo = long["indicateur"].isin(SEULS_AGGLO) & ~long["entite"].isin([SIREN_AGGLO, BLOC])
    long = long[~seul_agglo]
    long = long[~((long["entite"] == SIREN_AGGLO) & (long["indicateur"] == "dotation_forfaitaire"))]
    long = long[~((long["entite"] == BLOC) & long["indicateur"].isin(["attribution_compensation", "dsc"]))]
    if eff.indicateurs:  # hook: indicators set by the governance actions (sieges, fpic)
        long = pd.concat([long, lignes_indicateurs(eff, annees)], ignore_index=True)
    long.insert(0, "scenario", scenario.nom)
    long = long.sort_values(["entite", "indicateur", "annee"], kind="stable").reset_index(drop=True)
    long["annee"] = long["annee"].astype("int64")
    budgets, avert = _budgets(scenario, donnees, long)
    if np.isnan(base.teom):
        avert.append(SANS_TEOM)
    return Resultat(scenario=scenario, long=long, details=eff.details, base=base, effets=eff,
                    parametres=parametres_utilises(scenario), budgets=budgets, avertissements=avert)


CHAMPS_PROJECTION = ("annee_reference", "horizon", "hypotheses", "parametres", "actions")
"""The fields of a scenario that feed its projection (the others — nom, description, base, fichier — only label it)."""


def empreinte_projection(scenario: Scenario) -> str:
    """sha256 of everything in a scenario that feeds :func:`projeter` (:data:`CHAMPS_PROJECTION`, the explicit
    parameter overrides included; the dated legal parameters themselves are the same within a process): two
    scenarios with the same fingerprint give the same numbers (e.g. the counterfactuals ``sans_actions()`` of
    scenarios sharing the assumptions of the fil de l'eau, and the action-less scenario itself)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # pydantic: year keys serialised as text (harmless here)
        d = scenario.model_dump(mode="python", include=set(CHAMPS_PROJECTION))
    return hashlib.sha256(repr(sorted(d.items())).encode("utf-8")).hexdigest()


def sous_le_nom(res: Resultat, scenario: Scenario) -> Resultat:
    """The same projection under another scenario whose :func:`empreinte_projection` is equal (only its name,
    description and file differ): identical numbers, the ``scenario`` column renamed; arrays copied (no sharing)."""
    if empreinte_projection(res.scenario) != empreinte_projection(scenario):
        raise ValueError(f"« {scenario.nom} » ne se projette pas comme « {res.scenario.nom} » (hypothèses différentes)")
    budgets = res.budgets.assign(scenario=scenario.nom) if len(res.budgets) else res.budgets.copy()
    return replace(res, scenario=scenario, long=res.long.assign(scenario=scenario.nom),
                   details={k: v.copy() for k, v in res.details.items()}, base=copy.deepcopy(res.base),
                   effets=copy.deepcopy(res.effets), parametres=res.parametres.copy(), budgets=budgets,
                   avertissements=list(res.avertissements), comparaisons={})


def _budgets(scenario: Scenario, donnees: DonneesReference, long: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The agglomeration's budgets annexes (projected) and its budget principal by difference, long rows with a
    ``budget`` column; empty with a warning when the table is absent."""
    ba = donnees.budgets_annexes
    R, annees, h = scenario.annee_reference, scenario.annees, scenario.hypotheses
    if ba is None or not ((ba["entite"].astype(str) == SIREN_AGGLO) & (ba["an"] == R)).any():
        return pd.DataFrame(columns=COLONNES_BUDGETS), [SANS_ANNEXES]
    g = h.croissance["agglomeration"]
    ind = {f: np.cumprod([1.0] + [1.0 + g[f][a] for a in annees]) for f in ("autres_recettes", "fiscalite",
                                                                            "autres_charges")}
    ind["investissement"] = (1.0 + h.investissement.croissance["agglomeration"]) ** np.arange(len(annees) + 1)
    ann = projeter_annexes(ba, R, annees, ind, h.emprunts.taux_interet, h.emprunts.duree_annees,
                           donnees.sources.get("budgets_annexes", "budgets_annexes"))
    cons = long[long["entite"] == SIREN_AGGLO]
    pr = principal_par_difference(cons, ann).assign(budget=PRINCIPAL)
    out = pd.concat([ann, pr], ignore_index=True).assign(scenario=scenario.nom, entite=SIREN_AGGLO)
    out["annee"] = out["annee"].astype("int64")
    return out[COLONNES_BUDGETS].sort_values(["budget", "indicateur", "annee"], kind="stable").reset_index(
        drop=True), []


def comparer(resultat: Resultat, reference: Resultat) -> pd.DataFrame:
    """Differences scenario − reference by entity, year and indicator (long form, column ``ecart``). Computed once
    per pair (kept in ``resultat.comparaisons``; each call returns its own copy)."""
    deja = resultat.comparaisons.get(id(reference))
    if deja is None or deja[0] is not reference:
        deja = resultat.comparaisons[id(reference)] = (reference, _comparer(resultat, reference))
    return deja[1].copy()


def _comparer(resultat: Resultat, reference: Resultat) -> pd.DataFrame:
    cles = ["entite", "annee", "indicateur"]
    a = resultat.long.set_index(cles)["valeur"]
    b = reference.long.set_index(cles)["valeur"]
    if not a.index.equals(b.index):
        b = b.reindex(a.index)
    return pd.DataFrame({"scenario": resultat.scenario.nom, "reference": reference.scenario.nom,
                         "valeur_scenario": a, "valeur_reference": b, "ecart": a - b}).reset_index()


def synthese_comparaison(resultats: list[Resultat], annee: int | None = None) -> pd.DataFrame:
    """Side-by-side table of the bloc, the agglomeration and the communes (sum) for several scenarios."""
    lignes = []
    for r in resultats:
        fin = annee or r.scenario.fin
        horizon = list(range(r.scenario.debut, r.scenario.fin + 1))
        L = r.long

        def val(ent, ind, an=fin):
            s = L[(L.entite == ent) & (L.indicateur == ind) & (L.annee == an)]["valeur"]
            return float(s.iloc[0]) if len(s) else np.nan

        def cumul(ent, ind):
            return float(L[(L.entite == ent) & (L.indicateur == ind) & L.annee.isin(horizon)]["valeur"].sum())

        communes = L[L.entite.isin(CODES_INSEE)]
        en_com = float(communes[(communes.indicateur == "epargne_nette") & communes.annee.isin(horizon)]["valeur"]
                       .sum())
        lignes.append({
            "scenario": r.scenario.nom,
            "epargne_nette_cumulee_bloc": cumul(BLOC, "epargne_nette"),
            "epargne_nette_cumulee_communes": en_com,
            "epargne_nette_cumulee_agglo": cumul(SIREN_AGGLO, "epargne_nette"),
            "emprunts_cumules_bloc": cumul(BLOC, "emprunt"),
            "encours_fin_bloc": val(BLOC, "encours_dette"),
            "capacite_desendettement_fin_bloc": val(BLOC, "capacite_desendettement"),
            "capacite_desendettement_fin_agglo": val(SIREN_AGGLO, "capacite_desendettement"),
            "cif_fin": val(SIREN_AGGLO, "cif"),
            "dotation_intercommunalite_fin": val(SIREN_AGGLO, "dotation_intercommunalite"),
            "etp_agglo_fin": val(SIREN_AGGLO, "etp"),
            "etp_bloc_fin": val(BLOC, "etp"),
        })
    return pd.DataFrame(lignes)
