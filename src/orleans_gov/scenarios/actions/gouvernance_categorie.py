"""Change of legal category as a scenario action (communauté d'agglomération → communauté urbaine, art. L.5215-1
and L.5215-20 CGCT; → métropole, art. L.5217-1 and L.5217-2 CGCT)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurScenario
from orleans_gov.base.parametres import parametres
from orleans_gov.construction import charger
from orleans_gov.scenarios.actions.commun import Contexte, Effets
from orleans_gov.scenarios.actions.gouvernance_conseil import (dossier_donnees, populations_municipales,
                                                               repartition_sieges)
from orleans_gov.scenarios.actions.indicateurs import poser
from orleans_gov.scenarios.actions.transfert import appliquer_transfert
from orleans_gov.scenarios.dotations import VALEUR_POINT, valeurs_annuelles
from orleans_gov.scenarios.etat import E, IA
from orleans_gov.scenarios.gouvernance import comparer_transferts, transferts_constates
from orleans_gov.sources.referentiel import read_competences_par_categorie
from orleans_gov.base.territoire import CODES_INSEE
from orleans_gov.scenarios.schema import ChangementCategorie, Transfert

MOYENNE = "categories_epci.dotation_moyenne_eur_hab."
CATEGORIE_DOTATION = {"communaute_agglomeration": "communaute_agglomeration",
                      "communaute_urbaine": "communaute_urbaine", "metropole": "communaute_urbaine"}
"""Category of the dotation d'intercommunalité (art. L.5211-29 I: CU and métropoles form one category)."""


def competences_transferees(competences: pd.DataFrame, action: ChangementCategorie) -> pd.DataFrame:
    """The domaines the action transfers: with ``competences: constatees``, those the competence table records as
    moved on the date of the action (:func:`~orleans_gov.scenarios.gouvernance.transferts_constates`, rows dated
    exactly that day), else the explicit list (each must be a domaine of the table). Columns ``domaine``,
    ``fonction_m14``, ``niveau``, ``indice``."""
    comp = competences.assign(fonction_m14=competences["fonction_m14"].astype(str).str.split(".").str[0])
    if action.competences == "constatees":
        t = transferts_constates(comp, action.date)
        t = t[t["date_transfert"] == action.date]
        doms = list(t["domaine"])
        indices = dict(zip(t["domaine"], t["indice"]))
    else:
        doms = list(action.competences)
        inconnus = [d for d in doms if d not in set(comp["domaine"])]
        if inconnus:
            raise ErreurScenario(f"changement de catégorie : domaines absents de la table des compétences {inconnus}")
        indices = {d: "liste du scénario" for d in doms}
    c = comp.set_index("domaine").loc[doms, ["fonction_m14", "niveau"]].reset_index()
    return c.assign(indice=[indices[d] for d in c["domaine"]])


def ratio_dotation(action: ChangementCategorie, annees: np.ndarray) -> np.ndarray:
    """Per year: dotation moyenne par habitant of the new category / that of the former one (art. L.5211-29 II
    CGCT, dated parameters ``categories_epci.dotation_moyenne_eur_hab.*``), 1 before the date. The model's
    simplified dotation (:mod:`orleans_gov.scenarios.dotations`) scales its valeur de point by this ratio; the
    guarantees of art. L.5211-33 for a change of category are not modelled."""
    par = parametres()
    nouv, anc = CATEGORIE_DOTATION[action.categorie], CATEGORIE_DOTATION[action.categorie_precedente]
    r = np.array([par(MOYENNE + nouv, int(a)) / par(MOYENNE + anc, int(a)) for a in annees])
    return np.where(annees >= action.annee, r, 1.0)


def appliquer_changement_categorie(eff: Effets, action: ChangementCategorie, k: int, ctx: Contexte) -> None:
    """Transformation into a communauté urbaine or a métropole.

    1. Each competence transferred (:func:`competences_transferees`) is a transfer from every commune evaluated
       by the CLECT (art. 1609 nonies C IV CGI, :func:`~orleans_gov.scenarios.actions.transfert.appliquer_transfert`)
       with the action's CLECT choices and ``part_fonction`` (or ``parts_fonction[domaine]``);
    2. the dotation d'intercommunalité follows the new category's average per inhabitant (:func:`ratio_dotation`);
    3. the seats (indicator ``sieges``) are those of the droit commun of the new category (art. L.5211-6-1 III–IV,
       the V's extra 10 % being reserved to communautés de communes and d'agglomération), populations municipales
       of the year of effect − 3.
    """
    comp = charger("competences", dossier_donnees(ctx.donnees))
    liste = competences_transferees(comp, action)
    domaines = {str(d): str(f).split(".")[0] for d, f in zip(comp["domaine"], comp["fonction_m14"])}
    avant = set(eff.details)
    for r in liste.itertuples():
        t = Transfert.model_validate({
            "type": "transfert", "date": action.date.isoformat(), "competence": r.domaine, "communes": "toutes",
            "part_fonction": action.parts_fonction.get(r.domaine, action.part_fonction),
            "clect": action.clect.model_dump(), "personnel": action.personnel.model_dump(),
        }, context={"domaines": domaines})
        appliquer_transfert(eff, t, k, ctx)
        cle = next(c for c in eff.details if c not in avant)
        eff.details[f"actions[{k}] transfert ({action.categorie}) : {r.domaine}"] = eff.details.pop(cle)
        avant = set(eff.details)
    eff.details[f"actions[{k}] changement de catégorie : compétences"] = liste.assign(action=k, annee=action.annee)
    requis = Catalogue.depuis(dossier_donnees(ctx.donnees)).competences_par_categorie
    if requis.exists():  # the backtest: what the law required at the date against what the table records
        comp_txt = comp.astype(object).where(comp.notna(), "")
        eff.details[f"actions[{k}] changement de catégorie : contrôle"] = comparer_transferts(
            comp_txt, read_competences_par_categorie(requis), action.categorie, action.date,
            action.categorie_precedente).assign(action=k)
    if action.dotation_categorie:
        p = valeurs_annuelles(ctx.scenario.parametres_legaux(), ctx.toutes)
        base = eff.parametres.get(VALEUR_POINT, p[VALEUR_POINT])
        eff.parametres[VALEUR_POINT] = base * ratio_dotation(action, ctx.annees)
    pops = populations_municipales(ctx.donnees, action.annee - 3)
    rep, _, _ = repartition_sieges(pops, action.date, action.categorie)
    v = np.full(E, np.nan)
    v[:IA] = rep.reindex(list(CODES_INSEE)).to_numpy()
    poser(eff, "sieges", v, ctx.annees >= action.annee)
