"""Generated sentences of the scenario notebook (03), computed from the projections (every number is one of the
tables or charts)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.analyse.finances import seuils_capacite
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO, nom_entite
from orleans_gov.restitution.formats import fmt_meur, fmt_nombre, fmt_pct
from orleans_gov.restitution.scenarios.commun import Lecture, lecture, valeur
from orleans_gov.restitution.scenarios.tableaux import position_nette
from orleans_gov.restitution.textes import accorde, compte, majuscule
from orleans_gov.scenarios import BLOC, Resultat, comparer
from orleans_gov.scenarios.schema import Scenario
from orleans_gov.scenarios.sensibilite import MonteCarlo


def _ans(x: float) -> str:
    return "non calculable (épargne brute négative ou nulle)" if pd.isna(x) else f"{fmt_nombre(x, 1)} ans"


def phrases_reference(ref: Resultat) -> list[str]:
    """The trajectory without action: épargne brute and debt of the bloc, communes beyond the alert threshold."""
    sc = ref.scenario
    R = sc.annee_reference
    eb0, eb1 = valeur(ref, BLOC, "epargne_brute", R), valeur(ref, BLOC, "epargne_brute")
    cd = ref.long[(ref.long.indicateur == "capacite_desendettement") & (ref.long.annee == sc.fin)
                  & ref.long.entite.isin(CODES_INSEE)]
    seuil = seuils_capacite(sc.fin)[1]
    alerte = cd[(cd.valeur > seuil) | cd.valeur.isna()]
    p = [f"Au fil de l'eau, l'épargne brute du bloc communal passe de {fmt_meur(eb0)} en {R} à {fmt_meur(eb1)} en "
         f"{sc.fin} ({fmt_pct(eb1 / eb0 - 1, 0)}) : les charges progressent plus vite que les recettes, "
         f"avec la baisse de la DGF.",
         f"L'encours de dette du bloc atteindrait {fmt_meur(valeur(ref, BLOC, 'encours_dette'))} en {sc.fin}, soit une "
         f"capacité de désendettement de {_ans(valeur(ref, BLOC, 'capacite_desendettement'))} "
         f"(agglomération : {_ans(valeur(ref, SIREN_AGGLO, 'capacite_desendettement'))})."]
    if len(alerte):
        p.append(f"{majuscule(compte(len(alerte), 'commune', ('dépasserait', 'dépasseraient')))} "
                 f"{fmt_nombre(seuil)} ans de capacité de désendettement ou n'{accorde(len(alerte), 'aurait', 'auraient')} plus "
                 f"d'épargne brute positive en {sc.fin} : " + ", ".join(nom_entite(e) for e in alerte.entite) + ".")
    else:
        p.append(f"Aucune commune ne dépasse le seuil d'alerte de {fmt_nombre(seuil)} ans en {sc.fin}.")
    return p


def phrases_scenario(res: Resultat, ref: Resultat) -> list[str]:
    """What a scenario changes against the same scenario without action (épargne, net position, CIF, debt, FTE)."""
    sc = res.scenario
    lr, lf = lecture(res.long, "valeur"), lecture(ref.long, "valeur")     # same numbers as commun.cumul / valeur
    horizon = range(sc.debut, sc.fin + 1)

    def cum(lec: Lecture, ent: str, ind: str) -> float:
        return lec.somme(ent, ind, horizon)

    def val(lec: Lecture, ent: str, ind: str) -> float:
        return lec.un(ent, ind, sc.fin)
    d_en = cum(lr, BLOC, "epargne_nette") - cum(lf, BLOC, "epargne_nette")
    d_agg = cum(lr, SIREN_AGGLO, "epargne_nette") - cum(lf, SIREN_AGGLO, "epargne_nette")
    d_com = d_en - d_agg
    ec = Lecture(comparer(res, ref), "ecart")
    par_commune = pd.Series({c: position_nette(ec, c, sc) for c in CODES_INSEE})
    gagnantes = int((par_commune > 0.5).sum())
    perdantes = int((par_commune < -0.5).sum())
    pos_com = position_nette(ec, list(CODES_INSEE), sc)
    pos_agg = position_nette(ec, SIREN_AGGLO, sc)
    cif0, cif1 = val(lf, SIREN_AGGLO, "cif"), val(lr, SIREN_AGGLO, "cif")
    d_di = cum(lr, SIREN_AGGLO, "dotation_intercommunalite") - cum(lf, SIREN_AGGLO, "dotation_intercommunalite")
    d_etp = val(lr, SIREN_AGGLO, "etp") - val(lf, SIREN_AGGLO, "etp")
    d_dette = val(lr, BLOC, "encours_dette") - val(lf, BLOC, "encours_dette")
    d_dette_com = ec.somme(list(CODES_INSEE), "encours_dette", [sc.fin])
    sens = "améliore" if d_en > 0 else "dégrade"
    p = [f"« {sc.nom} » {sens} l'épargne nette cumulée {sc.debut}–{sc.fin} du bloc communal de "
         f"{fmt_meur(abs(d_en))} ({'+' if d_agg >= 0 else '−'}{fmt_meur(abs(d_agg))} pour l'agglomération, "
         f"{'+' if d_com >= 0 else '−'}{fmt_meur(abs(d_com))} pour l'ensemble des communes).",
         f"Mesuré par la position financière nette en {sc.fin} (dette évitée et excédents mis en réserve), "
         f"{compte(gagnantes, 'commune', ('gagne', 'gagnent'), pronom='y')} et "
         f"{compte(perdantes, 'commune', ('perd', 'perdent'), pronom='y')} ; ensemble, les communes "
         f"{'gagnent' if pos_com >= 0 else 'perdent'} {fmt_meur(abs(pos_com))} et l'agglomération "
         f"{'gagne' if pos_agg >= 0 else 'perd'} {fmt_meur(abs(pos_agg))}.",
         f"Le CIF passe de {fmt_nombre(cif0, 3)} à {fmt_nombre(cif1, 3)} en {sc.fin}, ce qui "
         f"{'apporte' if d_di >= 0 else 'retire'} {fmt_meur(abs(d_di))} de dotation d'intercommunalité cumulée "
         f"à l'agglomération.",
         f"En {sc.fin}, la dette du bloc est {'inférieure' if d_dette < 0 else 'supérieure'} de "
         f"{fmt_meur(abs(d_dette))} à celle du scénario sans action (communes : "
         f"{'−' if d_dette_com < 0 else '+'}{fmt_meur(abs(d_dette_com))})."]
    if abs(d_etp) >= 0.5:
        p.append(f"L'agglomération compte {fmt_nombre(abs(d_etp))} ETP de {'plus' if d_etp > 0 else 'moins'} en "
                 f"{sc.fin} que sans action.")
    return p


def phrases_sensibilite(tornado: pd.DataFrame, mc: MonteCarlo, sc: Scenario) -> list[str]:
    """The most decisive assumption (tornado) and the Monte-Carlo interval of the bloc's épargne nette cumulée."""
    t = tornado.iloc[0]
    q05, q50, q95 = np.quantile(mc.mesure, [0.05, 0.5, 0.95])
    neg = float((mc.mesure < 0).mean())
    return [f"L'hypothèse la plus déterminante est « {t['libelle'].lower()} » : ± {fmt_nombre(t['variation'] * 100, 1)} "
            f"{'%' if t['unite_variation'] == 'relative' else 'point'} fait varier l'épargne nette cumulée du bloc "
            f"de {fmt_meur(t['resultat_bas'])} à {fmt_meur(t['resultat_haut'])}.",
            f"Sur {fmt_nombre(mc.n_tirages)} tirages, l'épargne nette cumulée {sc.debut}–{sc.fin} du bloc se situe "
            f"entre {fmt_meur(q05)} et {fmt_meur(q95)} dans 90 % des cas (médiane {fmt_meur(q50)}) ; "
            f"elle est négative dans {fmt_pct(neg, 0)} des tirages."]
