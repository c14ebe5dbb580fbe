"""Loader of the scenario notebooks (03, 04): every scenario projected with its counterfactual.

Apart from :mod:`.chargement` so that the other notebooks (01, 02, 10) do not import the scenario engine
(:mod:`orleans_gov.scenarios` and its pydantic models, 0,3–0,45 s; issue 16, point 3).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.scenarios import charger_donnees, charger_scenario, projeter, scenarios_livres
from orleans_gov.scenarios.resultats import empreinte_projection, sous_le_nom
from orleans_gov.restitution.cache_scenarios import monte_carlo_en_cache, projections_en_cache
from orleans_gov.scenarios.sensibilite import prepare_de, tornado

__all__ = ["ContexteScenarios", "contexte_scenarios"]


# ------------------------------------------------------------------------------------------------
# Notebooks 03 and 04
# ------------------------------------------------------------------------------------------------
@dataclass
class ContexteScenarios:
    """Projections of the scenario notebook (03): each scenario and the same scenario without its actions."""

    donnees: Any
    resultats: dict[str, Any]
    contrefactuels: dict[str, Any]
    ecartes: list[str]                # scenario files set aside, with their reason (Markdown lines)
    reference: Any                    # the scenario without action (or the counterfactual of the first one)
    avec_actions: list[Any]
    exemple: bool
    dossier: Any = None               # the data folder (None = $ORLEANS_GOV_DATA or data/ of the repository)

    @property
    def fin(self) -> int:
        return self.reference.scenario.fin

    def tornado(self, mesure: str):
        """Tornado of the reference scenario (:func:`orleans_gov.scenarios.sensibilite.tornado`) from the state it
        was projected from (not prepared again)."""
        return tornado(self.reference.scenario, self.donnees, mesure=mesure, _prepare=prepare_de(self.reference))

    def monte_carlo(self, indicateurs: tuple[str, ...], n_tirages: int = 10_000, cache: bool = True
                    ) -> dict[str, dict[str, Any]]:
        """Monte-Carlo bands of every scenario, ``{scenario: {indicateur: MonteCarlo}}``
        (:func:`orleans_gov.scenarios.sensibilite.monte_carlo_indicateurs`, default seed), each from the state
        its projection was made from; read from / written to the persistent cache of the data folder
        (:mod:`orleans_gov.restitution.cache_scenarios`) unless ``cache=False``."""
        return {nom: monte_carlo_en_cache(r, self.donnees, tuple(indicateurs), n_tirages=n_tirages,
                                          dossier_donnees=self.dossier, cache=cache)
                for nom, r in self.resultats.items()}


def contexte_scenarios(scenarios=None, annee_reference: int = 2013, horizon=None,
                       dossier_donnees=None, cache: bool = True) -> ContexteScenarios:
    """Project every scenario file (``scenarios``; None = the shipped ones) and its counterfactual; a scenario the
    data cannot support is set aside with its reason, the others run (none → ``RuntimeError``). What projects
    alike (same :func:`~orleans_gov.scenarios.resultats.empreinte_projection`: the counterfactuals sharing the
    assumptions of the fil de l'eau, and the fil de l'eau itself) is projected once (issue 16); the projections are
    read from / written to the persistent cache of the data folder
    (:func:`~orleans_gov.restitution.cache_scenarios.projections_en_cache`: same scenarios, data and code → the
    same objects) unless ``cache=False``."""
    fichiers = list(scenarios) if scenarios else [str(p) for p in scenarios_livres()]
    donnees = charger_donnees(dossier_donnees)
    charges, ecartes_lecture = [], []            # (position, scenario) ; (position, reason)
    for i, f in enumerate(fichiers):
        try:
            charges.append((i, charger_scenario(f, annee_reference=annee_reference, horizon=horizon)))
        except ErreurDonnees as exc:
            ecartes_lecture.append((i, f"- **{Path(str(f)).name}** écarté : {exc}"))

    def calculer():
        resultats, contrefactuels, ecartes = {}, {}, []
        deja: dict[str, Any] = {}      # fingerprint of what feeds the projection -> Resultat (projected once)

        def projection(sc):
            cle = empreinte_projection(sc)
            if cle not in deja:
                deja[cle] = projeter(sc, donnees)
                return deja[cle]
            return sous_le_nom(deja[cle], sc)

        for i, sc in charges:
            try:
                resultats[sc.nom], contrefactuels[sc.nom] = projection(sc), projection(sc.sans_actions())
            except ErreurDonnees as exc:
                ecartes.append((i, f"- **{Path(str(fichiers[i])).name}** écarté : {exc}"))
        return resultats, contrefactuels, ecartes

    resultats, contrefactuels, ecartes_projection = projections_en_cache(
        [sc for _, sc in charges], donnees, calculer, dossier_donnees=dossier_donnees, cache=cache)
    ecartes = [m for _, m in sorted(ecartes_lecture + ecartes_projection, key=lambda im: im[0])]
    if not resultats:
        raise RuntimeError("aucun scénario n'a pu être projeté :\n" + "\n".join(ecartes))
    sans_action = [r for r in resultats.values() if not r.scenario.actions]
    premier = next(iter(resultats.values())).scenario.nom
    return ContexteScenarios(donnees=donnees, resultats=resultats, contrefactuels=contrefactuels, ecartes=ecartes,
                             reference=sans_action[0] if sans_action else contrefactuels[premier],
                             avec_actions=[r for r in resultats.values() if r.scenario.actions],
                             exemple=any(r.exemple for r in resultats.values()), dossier=dossier_donnees)
