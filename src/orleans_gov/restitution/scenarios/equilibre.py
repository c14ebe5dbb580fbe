"""Équilibre réel (art. L.1612-4 CGCT) in the scenario notebook: every entity whose épargne brute does not cover its
capital repayment, by name, with the lever that closed the gap; and what the engine still simplifies."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.restitution.formats import fmt_meur
from orleans_gov.restitution.scenarios.commun import nom
from orleans_gov.restitution.textes import compte
from orleans_gov.scenarios import BLOC, Resultat


def ruptures_equilibre(res: Resultat) -> pd.DataFrame:
    """One line per entity with at least one projected year where épargne brute < remboursement en capital
    (``ecart_equilibre`` > 0): years, cumulated gap (k€), lever, amount of the lever in the last year (k€)."""
    sc = res.scenario
    L = res.long[res.long.annee.between(sc.debut, sc.fin) & (res.long.entite != BLOC)]
    ec = L[(L.indicateur == "ecart_equilibre") & (L.valeur > 0)]
    lev = L[(L.indicateur == "levier_equilibre") & (L.annee == sc.fin)].set_index("entite")["valeur"]
    levier = vocabulaire.libelle("levier_" + sc.hypotheses.equilibre.levier)
    lignes = []
    for e, g in ec.groupby("entite", sort=False):
        lignes.append({"entite": nom(e), "annees_rupture": ", ".join(str(a) for a in sorted(g.annee)),
                       "ecart_equilibre_cumule": float(g.valeur.sum()), "levier": levier,
                       "levier_equilibre_fin": float(lev.get(e, float("nan")))})
    b = res.budgets
    if len(b):
        eb = b[(b.indicateur == "ecart_equilibre") & (b.valeur > 0) & b.annee.between(sc.debut, sc.fin)]
        for (e, budget), g in eb.groupby(["entite", "budget"], sort=True):
            lignes.append({"entite": f"{nom(e)} — {vocabulaire.libelle('budget').lower()} {budget}",
                           "annees_rupture": ", ".join(str(a) for a in sorted(g.annee)),
                           "ecart_equilibre_cumule": float(g.valeur.sum()),
                           "levier": vocabulaire.libelle("levier_constater"), "levier_equilibre_fin": 0.0})
    cols = ["entite", "annees_rupture", "ecart_equilibre_cumule", "levier", "levier_equilibre_fin"]
    t = pd.DataFrame(lignes, columns=cols).sort_values("ecart_equilibre_cumule", ascending=False)
    return t.rename(columns=vocabulaire.entetes(cols)).reset_index(drop=True)


def phrases_equilibre(res: Resultat) -> list[str]:
    """The breaches of the équilibre réel of one scenario, every entity by name, and the lever used."""
    sc = res.scenario
    t = ruptures_equilibre(res)
    levier = vocabulaire.libelle("levier_" + sc.hypotheses.equilibre.levier).lower()
    if not len(t):
        return [f"{sc.nom} : toutes les entités restent en équilibre réel (art. L.1612-4 CGCT) de {sc.debut} à "
                f"{sc.fin} sans correction."]
    c_ent, c_an, c_ec, _, c_lev = t.columns
    noms = "; ".join(f"{r[c_ent]} ({r[c_an]} ; {fmt_meur(r[c_ec])} au total)" for _, r in t.iterrows())
    corrige = sc.hypotheses.equilibre.levier in ("taux", "depenses_fonctionnement")
    budgets = t[c_ent].str.contains(" — ")
    suite = (f"le levier du scénario ({levier}) rétablit l'équilibre des entités ; il représente "
             f"{fmt_meur(t.loc[~budgets, c_lev].sum())} en {sc.fin}"
             + (" ; l'écart d'un budget de l'agglomération (budget principal obtenu par différence entre les comptes "
                "consolidés et les budgets annexes) est seulement constaté" if budgets.any() else "")
             if corrige else
             f"levier du scénario : {levier} ; ces écarts ne sont pas financés par l'emprunt : ils réduisent le "
             f"fonds de roulement et signalent un budget qui ne serait pas voté en équilibre réel")
    return [f"{sc.nom} : {compte(len(t), 'entité')} dont l'épargne brute ne couvrirait pas le remboursement en capital de "
            f"la dette (art. L.1612-4 CGCT) — {noms} ; {suite}."]


SIMPLIFICATIONS: tuple[str, ...] = (
    "Équilibre réel : la couverture du remboursement en capital est testée sur l'épargne brute seule ; la loi admet "
    "aussi les recettes propres de la section d'investissement (FCTVA, taxe d'aménagement), de l'ordre de 10 à 15 % "
    "de l'équipement : le test est plus sévère que la loi de ce montant.",
    "Levier « taux » : la hausse d'impôt est appliquée au produit de l'année sans effet sur le coefficient "
    "d'intégration fiscale de l'agglomération (effet sur le CIF de l'ordre du millième par M€ levé).",
    "Équilibre réel : ni les restes à réaliser ni le résultat reporté ne sont modélisés ; un prélèvement sur le "
    "fonds de roulement choisi par le scénario finance l'investissement, jamais l'écart de fonctionnement.",
    "CRFP : taux moyens nationaux de chaque année (1,84 % des recettes réelles en 2015 pour les communes, 2,3 % "
    "pour les EPCI) appliqués aux recettes réelles N−2, sans les retraitements de l'art. R.2334-3-2 (recettes "
    "exceptionnelles, atténuations) : de l'ordre de ± 5 % de la contribution. Baisse 2015 de la DGF mesurée au fil de "
    "l'eau : agglomération −4,2 M€ (publiée −4,3), Orléans −3,3 M€ (publiée −4,1 : l'écart est l'écrêtement, non "
    "modélisé), Saran −0,65 M€ (publiée −0,55 ; 2014 : −0,25 contre −0,23).",
    "Dotation forfaitaire des communes : leur DGF entière (dotations de péréquation comprises) suit l'hypothèse "
    "d'évolution hors CRFP ; l'écrêtement (art. L.2334-7, jusqu'à 3 % de la DF de l'année précédente en 2015-2016, "
    "1 % des recettes réelles ensuite) n'est pas calculé faute de potentiel fiscal : ≈ 0,8 M€ par an pour Orléans.",
    "Dotation d'intercommunalité : rapport de potentiel fiscal pris égal à 1 et garanties 2° et 3° de l'art. "
    "L.5211-33 omises ; la valeur de point et le CIF moyen de la catégorie sont à confirmer (notes DGCL).",
    "Budgets annexes : budget principal obtenu par différence entre les comptes consolidés DGFiP et les budgets "
    "annexes projetés (les annexes ne rétroagissent pas sur la projection consolidée) ; la répartition des totaux "
    "OFGL 2014-2017 entre annexes et les autres années sont des données d'exemple.",
    "CIF : sans la TEOM quand les comptes ne l'isolent pas (20 à 30 M€ porteraient le CIF 2013 de 0,26 à "
    "0,30–0,32 dans les données d'exemple).",
)
"""What the engine still simplifies, with its order of magnitude (read in notebook 03, section « Limites »)."""
