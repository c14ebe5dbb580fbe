"""Maps of the deliverables (geopandas choropleths of the 22 communes, situation map of one commune)."""
from __future__ import annotations

import math
import warnings
from contextlib import contextmanager

import pandas as pd

from orleans_gov.restitution.formats import ND
from orleans_gov.restitution.graphiques import CMAP_SEQUENTIELLE, COULEUR_ACCENT, COULEUR_ND, formateur_axe
from orleans_gov.restitution.tableaux import _est_numerique

# ------------------------------------------------------------------------------------------------
# Maps
# ------------------------------------------------------------------------------------------------
def _aspect(ax, gdf) -> None:
    """Equal-distance aspect: for longitude/latitude, 1 / cos(latitude) as geopandas does."""
    if gdf.crs is not None and gdf.crs.is_geographic:
        bornes = gdf.total_bounds
        ax.set_aspect(1 / math.cos(math.radians((bornes[1] + bornes[3]) / 2)))
    else:
        ax.set_aspect("equal")


def _choroplethe(gdf, colonne, legende, ax, fig, cmap, decimales, manquants, numerique, kw_manquants, echelle):
    """The geopandas layers of :func:`carte` (values, then missing ones grey and hatched)."""
    from matplotlib.patches import Patch  # lazy: keeps ``import orleans_gov`` light

    if numerique and not manquants.all():
        avec = gdf[~manquants]
        avant = set(fig.axes)
        if echelle is not None:
            avec.plot(column=colonne, ax=ax, cmap=cmap, edgecolor="white", linewidth=0.6, vmin=echelle[0],
                      vmax=echelle[1])
        else:
            avec.plot(column=colonne, ax=ax, cmap=cmap, edgecolor="white", linewidth=0.6, legend=True,
                      legend_kwds={"label": legende, "orientation": "horizontal", "shrink": 0.6, "pad": 0.02,
                                   "format": formateur_axe(decimales)})
        nouveaux = [a for a in fig.axes if a not in avant]
        for cax in nouveaux:
            cax.xaxis.set_major_formatter(formateur_axe(decimales))
            cax.tick_params(labelsize=9)
    elif not manquants.all():
        gdf[~manquants].plot(column=colonne, ax=ax, cmap=cmap or "tab20", categorical=True, legend=True,
                             edgecolor="white", linewidth=0.6,
                             legend_kwds={"title": legende, "loc": "upper left", "bbox_to_anchor": (1.0, 1.0)})
    if manquants.any():
        gdf[manquants].plot(ax=ax, **{k: v for k, v in kw_manquants.items() if k != "label"})
        poignee = Patch(facecolor=COULEUR_ND, edgecolor="#8c8c8c", hatch="///", label=f"{ND} (non disponible)")
        ancienne = ax.get_legend()
        if ancienne is not None:
            ax.add_artist(ancienne)
        ax.legend(handles=[poignee], loc="lower left", frameon=False, fontsize=9)


@contextmanager
def _sans_dessin_intermediaire(fig):
    """geopandas ends every ``GeoDataFrame.plot`` with ``canvas.draw_idle()``, a full draw of the whole figure with
    the Agg and inline backends (10 maps of notebook 01: 2,8 s of 3,6 s). The figure is drawn once when shown or
    saved; the intermediate draws change nothing in it (issue 16: PNGs byte-compared before/after)."""
    canvas = fig.canvas
    canvas.draw_idle = lambda *args, **kwargs: None
    try:
        yield
    finally:
        del canvas.draw_idle


def carte(gdf, colonne: str, titre: str, legende: str, ax=None, cmap: str | None = None, decimales: int = 0,
          etiquettes: bool = False, echelle: tuple[float, float] | None = None):
    """Choropleth of the communes (geopandas): ``colonne`` coloured, missing values grey and hatched (« n.d. »).

    ``legende`` is the colour-bar label (with the unit, e.g. "Dépenses de personnel (€/hab.)"). Numeric
    columns give a continuous colour bar with French tick labels (``decimales``); other columns a categorical
    legend. ``etiquettes=True`` writes each commune's name (column ``nom``). ``echelle=(vmin, vmax)``: the colour
    scale shared by a series of maps (no colour bar on this map: the series draws one, :func:`barre_commune`).
    Returns the axes.
    """
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light

    if colonne not in gdf.columns:
        raise KeyError(f"colonne « {colonne} » absente de la carte (colonnes : {list(gdf.columns)})")
    if ax is None:
        _fig, ax = plt.subplots(figsize=(8, 7))
    fig = ax.get_figure()
    manquants = gdf[colonne].isna()
    numerique = _est_numerique(gdf[colonne])
    cmap = cmap or (CMAP_SEQUENTIELLE if numerique else None)
    kw_manquants = {"color": COULEUR_ND, "hatch": "///", "edgecolor": "#8c8c8c", "linewidth": 0.5,
                    "label": ND}
    with _sans_dessin_intermediaire(fig):
        _choroplethe(gdf, colonne, legende, ax, fig, cmap, decimales, manquants, numerique, kw_manquants, echelle)
    if etiquettes and "nom" in gdf.columns:
        for _, ligne in gdf.iterrows():
            p = ligne.geometry.representative_point()
            ax.annotate(str(ligne["nom"]), (p.x, p.y), ha="center", va="center", fontsize=6.5, color="#222222")
    ax.set_title(titre)
    ax.set_axis_off()
    _aspect(ax, gdf)
    return ax


def carte_situation(gdf, code_insee: str | None, titre: str | None = None, ax=None,
                    couleur: str = COULEUR_ACCENT, etiquettes: bool = True):
    """Map of the 22 communes with one commune highlighted (``code_insee``), or all of them when ``None``
    (the agglomeration). ``gdf`` has ``code_insee``, ``nom`` and ``geometry`` (table ``perimetre``)."""
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light
    from matplotlib.patches import Patch

    if ax is None:
        _fig, ax = plt.subplots(figsize=(6, 6))
    codes = gdf["code_insee"].astype(str)
    if code_insee is not None and str(code_insee) not in set(codes):
        raise KeyError(f"commune {code_insee!r} absente de la carte du périmètre")
    choisie = codes == str(code_insee) if code_insee is not None else pd.Series(True, index=gdf.index)
    if (~choisie).any():
        gdf[~choisie].plot(ax=ax, color="#eef1f5", edgecolor="#9aa5b1", linewidth=0.6)
    gdf[choisie].plot(ax=ax, color=couleur if code_insee is not None else "#c6d4e6",
                      edgecolor="#333333", linewidth=1.0)
    if etiquettes and "nom" in gdf.columns:
        # Labels are placed highlighted commune first, then by decreasing area; a label that would overlap one
        # already placed is left out (the small central communes cannot all be named legibly on a small map).
        _aspect(ax, gdf)
        fig = ax.get_figure()
        rendu = fig.canvas.get_renderer()
        with warnings.catch_warnings():  # areas only rank the communes: a geographic CRS is good enough
            warnings.simplefilter("ignore", UserWarning)
            aires = gdf.geometry.area
        ordre = sorted(gdf.index, key=lambda i: (not bool(choisie.loc[i]) or code_insee is None, -aires.loc[i]))
        places = []
        for i in ordre:
            ligne, est_choisie = gdf.loc[i], bool(choisie.loc[i])
            p = ligne.geometry.representative_point()
            texte = ax.annotate(str(ligne["nom"]), (p.x, p.y), ha="center", va="center",
                                fontsize=8 if est_choisie and code_insee is not None else 6,
                                fontweight="bold" if est_choisie and code_insee is not None else "normal",
                                color="#111111" if est_choisie else "#555555")
            boite = texte.get_window_extent(rendu).expanded(1.05, 1.15)
            if any(boite.overlaps(b) for b in places):
                texte.remove()
            else:
                places.append(boite)
    if code_insee is not None and "nom" in gdf.columns:
        nom = str(gdf.loc[choisie, "nom"].iloc[0])
        ax.legend(handles=[Patch(facecolor=couleur, edgecolor="#333333", label=nom)], loc="lower left",
                  frameon=False, fontsize=9)
    if titre:
        ax.set_title(titre)
    ax.set_axis_off()
    _aspect(ax, gdf)
    return ax


def barre_commune(fig, echelle: tuple[float, float], legende: str, cmap: str | None = None,
                  decimales: int = 0, dans=None):
    """One horizontal colour bar for a series of maps drawn with the same ``echelle`` (vmin, vmax): under the
    maps, or inside ``dans`` (an empty axes of the grid, its axis off) with its label and ticks at 9 pt."""
    import matplotlib as mpl  # lazy: keeps ``import orleans_gov`` light

    sm = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(*echelle), cmap=cmap or CMAP_SEQUENTIELLE)
    if dans is not None:
        cax = dans.inset_axes((0.08, 0.55, 0.84, 0.09))
        barre = fig.colorbar(sm, cax=cax, orientation="horizontal")
        barre.set_label(legende, fontsize=9)
        barre.ax.tick_params(labelsize=9)
    else:
        fig.subplots_adjust(bottom=0.14)
        cax = fig.add_axes((0.3, 0.085, 0.4, 0.018))   # below the maps, above the source line
        barre = fig.colorbar(sm, cax=cax, orientation="horizontal")
        barre.set_label(legende)
    barre.ax.xaxis.set_major_formatter(formateur_axe(decimales))
    return barre
