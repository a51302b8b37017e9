"""Run by tests/test_qgis.py with the SYSTEM python that has QGIS (Debian python3-qgis), never
with the project's virtualenv: open tc8's GeoPackages in a headless QGIS and print what QGIS
sees as JSON.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_check.py RESULTS.gpkg TEMPLATE.gpkg PNG

Per layer of RESULTS.gpkg: valid, geometry type, the default style QGIS loaded (its message),
renderer type and field, categories (value, label, colour), aliases, labels on; the communes
layer drawn to PNG with QgsMapRendererParallelJob and the colours counted. Per layer of
TEMPLATE.gpkg: the editor widget of every field and its value map, and the value map QGIS
builds from the field domain alone (default style not loaded).
"""
import json
import os
import sys

from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsVectorLayer
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def _layers(path):
    from osgeo import ogr
    ds = ogr.Open(path)
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


def _widgets(layer):
    out = {}
    for f in layer.fields():
        setup = f.editorWidgetSetup()
        if setup.type() == "ValueMap":
            entries = setup.config().get("map", [])
            pairs = entries.items() if isinstance(entries, dict) else [kv for e in entries for kv in e.items()]
            out[f.name()] = {"type": setup.type(), "map": {str(v): str(k) for k, v in pairs}}
    return out


def describe(path, name):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    info = {"valid": layer.isValid(), "features": layer.featureCount(), "wkb": int(layer.wkbType())}
    message, loaded = layer.loadDefaultStyle()
    info.update(style_loaded=bool(loaded), style_message=message)
    renderer = layer.renderer()
    info["renderer"] = renderer.type() if renderer else None
    if renderer is not None and renderer.type() == "categorizedSymbol":
        info["field"] = renderer.classAttribute()
        info["categories"] = [[str(c.value()), c.label(), c.symbol().color().name()] for c in renderer.categories()]
    info["aliases"] = {k: v for k, v in layer.attributeAliases().items() if v}
    info["labels"] = bool(layer.labelsEnabled())
    info["widgets"] = _widgets(layer)
    return info, layer


def render(layer, png):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent())
    settings.setOutputSize(QSize(600, 480))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(png, "png")
    counts = {}
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            name = QColor(image.pixel(x, y)).name()
            counts[name] = counts.get(name, 0) + 1
    return counts


def main(results, template, png):
    app = QgsApplication([], False)
    app.initQgis()
    report = {"qgis": __import__("qgis.core", fromlist=["Qgis"]).Qgis.QGIS_VERSION, "results": {}, "template": {}}
    for name in _layers(results):
        info, layer = describe(results, name)
        report["results"][name] = info
        if name == "communes":
            report["communes_png_colours"] = render(layer, png)
    for name in _layers(template):
        info, _ = describe(template, name)
        options = QgsVectorLayer.LayerOptions()
        options.loadDefaultStyle = False
        bare = QgsVectorLayer(f"{template}|layername={name}", name, "ogr", options)
        info["widgets_from_domains"] = _widgets(bare)
        report["template"][name] = info
    print("TC8-QGIS-REPORT " + json.dumps(report, ensure_ascii=False), flush=True)
    os._exit(0)  # QgsApplication.exitQgis() with layers still referenced may crash at shutdown


if __name__ == "__main__":
    main(*sys.argv[1:4])
