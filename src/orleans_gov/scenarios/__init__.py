"""Scénarios d'évolution du bloc communal: transfers of competences, shared services, fiscal pact, 2014–2020.

- :mod:`.schema` — scenario files (``config/scenarios/*.yaml``), strict validation (``ErreurScenario``);
- :mod:`.clect` — évaluation des charges transférées and attributions de compensation (art. 1609 nonies C CGI);
- :mod:`.moteur` — vectorised year-by-year projection of the 22 communes, the agglomeration and the bloc;
- :mod:`.sensibilite` — tornado and Monte-Carlo bands.

CLI: ``orleans-gov scenario FICHIER.yaml [--sortie DIR] [--dossier-donnees DIR]`` writes ``DIR/resultats.csv``
(long form: ``scenario, entite, annee, indicateur, valeur``) and prints a short French summary.
"""
from __future__ import annotations

from pathlib import Path

from orleans_gov.base.catalogue import RACINE_PROJET
from orleans_gov.scenarios.moteur import (BLOC, INDICATEURS, DonneesReference, Resultat, charger_donnees, cif, comparer,
                     dotation_intercommunalite, projeter, synthese_comparaison)
from orleans_gov.scenarios.schema import Scenario, charger_scenario

DOSSIER_SCENARIOS = RACINE_PROJET / "config" / "scenarios"

__all__ = ["BLOC", "INDICATEURS", "DonneesReference", "Resultat", "Scenario", "charger_donnees", "charger_scenario",
           "cif", "comparer", "dotation_intercommunalite", "projeter", "synthese_comparaison", "scenarios_livres",
           "executer", "resume", "DOSSIER_SCENARIOS"]


def scenarios_livres() -> list[Path]:
    """The scenario files shipped in ``config/scenarios`` (baseline first, then alphabetical)."""
    fichiers = sorted(DOSSIER_SCENARIOS.glob("*.yaml"))
    return sorted(fichiers, key=lambda p: (p.name != "fil-de-l-eau.yaml", p.name))


def executer(fichier: str | Path, dossier_donnees: str | Path | None = None) -> tuple[Resultat, Resultat]:
    """Load a scenario file and project it and its counterfactual without action. Returns (scenario, contrefactuel)."""
    sc = charger_scenario(fichier)
    donnees = charger_donnees(dossier_donnees)
    return projeter(sc, donnees), projeter(sc.sans_actions(), donnees)


def _fmt(x: float, dec: int = 0) -> str:
    try:
        from orleans_gov.restitution.presentation import fmt_nombre
        return fmt_nombre(x, dec)
    except Exception:  # pragma: no cover
        return f"{x:,.{dec}f}".replace(",", " ").replace(".", ",")


def resume(res: Resultat, ref: Resultat) -> str:
    """Short French summary of a scenario against its counterfactual (terminal output)."""
    from orleans_gov.base.territoire import SIREN_AGGLO
    sc = res.scenario
    L, R0 = res.long, ref.long
    horizon = list(range(sc.debut, sc.fin + 1))

    def cumul(df, ent, ind):
        return float(df[(df.entite == ent) & (df.indicateur == ind) & df.annee.isin(horizon)]["valeur"].sum())

    def fin(df, ent, ind):
        s = df[(df.entite == ent) & (df.indicateur == ind) & (df.annee == sc.fin)]["valeur"]
        return float(s.iloc[0])

    lignes = [f"Scénario : {sc.nom} ({sc.debut}–{sc.fin}, référence {sc.annee_reference}) — {len(sc.actions)} action(s)"]
    if res.exemple:
        lignes.append("ATTENTION : données d'exemple — ne pas diffuser")
    en, en0 = cumul(L, BLOC, "epargne_nette"), cumul(R0, BLOC, "epargne_nette")
    lignes.append(f"Épargne nette cumulée du bloc : {_fmt(en)} k€ (écart avec le même scénario sans action : {_fmt(en - en0)} k€)")
    for ent, nom in ((SIREN_AGGLO, "agglomération"), (BLOC, "bloc")):
        cd = fin(L, ent, "capacite_desendettement")
        txt = "non calculable (épargne brute ≤ 0)" if cd != cd else f"{_fmt(cd, 1)} ans"
        lignes.append(f"Capacité de désendettement {sc.fin} ({nom}) : {txt} ; encours {_fmt(fin(L, ent, 'encours_dette'))} k€")
    lignes.append(f"CIF {sc.fin} : {_fmt(fin(L, SIREN_AGGLO, 'cif'), 3)} (sans action : {_fmt(fin(R0, SIREN_AGGLO, 'cif'), 3)}) ; "
                  f"dotation d'intercommunalité {_fmt(fin(L, SIREN_AGGLO, 'dotation_intercommunalite'))} k€")
    lignes.append(f"ETP agglomération {sc.fin} : {_fmt(fin(L, SIREN_AGGLO, 'etp'))} ({res.base.methode_etp})")
    return "\n".join(lignes)
