"""The Python floor: a hand-written `is_valid` for the request spec, as a careful developer would
write it in plain Python from spec/generation-request.schema.json (constraints only, x-advice
left out). bench_validators.py checks it against python-jsonschema on every mix before timing it,
so it is a fair floor: the same rules, nothing skipped.

It is written for this one schema (field names and all); the compiled validator is generic.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_valid"]

NUL = type(None)
BOOL = frozenset({bool, NUL})
STR = frozenset({str, NUL})
NUM = frozenset({int, float, NUL})
PHOENIX = frozenset(
    {"de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3", "6b645e3a-d64f-4341-a6d8-7a3690fbf042"}
)
FLUX = frozenset(
    {
        "b2614463-296c-462a-9586-aafdb8f00e36",
        "1dd50843-d653-4516-a8e3-f0238ee453ff",
        "28aeddf8-bd19-4803-80fc-79602d1a9989",
    }
)
PHOTOREAL_V2 = frozenset(
    {
        "aa77f04e-3eec-4034-9c07-d0f619684628",
        "1e60896f-3c26-4296-8ecc-53e2afecc132",
        "5c232a9e-9061-4777-980a-ddc8e65647c6",
    }
)
WEIGHTED_PREPROCESSORS = frozenset(
    {1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22}
)
PRESET_STYLES = frozenset(
    [
        "ANIME",
        "BOKEH",
        "CINEMATIC",
        "CINEMATIC_CLOSEUP",
        "CREATIVE",
        "DYNAMIC",
        "ENVIRONMENT",
        "FASHION",
        "FILM",
        "FOOD",
        "GENERAL",
        "HDR",
        "ILLUSTRATION",
        "LEONARDO",
        "LONG_EXPOSURE",
        "MACRO",
        "MINIMALISTIC",
        "MONOCHROME",
        "MOODY",
        "NONE",
        "NEUTRAL",
        "PHOTOGRAPHY",
        "PORTRAIT",
        "RAYTRACED",
        "RENDER_3D",
        "RETRO",
        "SKETCH_BW",
        "SKETCH_COLOR",
        "STOCK_PHOTO",
        "VIBRANT",
        "UNPROCESSED",
    ]
)
SD_VERSIONS = frozenset(
    [
        "v1_5",
        "v2",
        "v3",
        "SDXL_0_8",
        "SDXL_0_9",
        "SDXL_1_0",
        "SDXL_LIGHTNING",
        "PHOENIX",
        "FLUX",
        "FLUX_DEV",
        "KINO_2_0",
    ]
)
SCHEDULERS = frozenset(
    ["KLMS", "EULER_ANCESTRAL_DISCRETE", "EULER_DISCRETE", "DDIM", "DPM_SOLVER", "PNDM", "LEONARDO"]
)
IMAGE_TYPES = frozenset({"GENERATED", "UPLOADED"})
STRENGTHS = frozenset({"Low", "Mid", "High", "Ultra", "Max", None})


def _number(v: Any) -> bool:
    return type(v) is int or type(v) is float


def _integer(v: Any) -> bool:
    return type(v) is int or (type(v) is float and v.is_integer())


def _int_or_null(v: Any, low: float, high: float) -> bool:
    return v is None or (_integer(v) and low <= v <= high)


def _num_or_null(v: Any, low: float, high: float) -> bool:
    return v is None or (_number(v) and low <= v <= high)


def _size(v: Any) -> bool:
    return v is None or (_integer(v) and 32 <= v <= 1536 and v % 8 == 0)


def _enum(values: frozenset[Any]) -> Any:
    return lambda v: v is None or (type(v) is str and v in values)


def _controlnet(c: Any) -> bool:
    if type(c) is not dict or not ("initImageId" in c and "initImageType" in c):
        return False
    if "preprocessorId" not in c:
        return False
    for key, v in c.items():
        if key == "initImageId":
            if type(v) is not str:
                return False
        elif key == "initImageType":
            if type(v) is not str or v not in IMAGE_TYPES:
                return False
        elif key == "preprocessorId":
            if not _integer(v):
                return False
        elif key == "weight" or key == "influence":
            if type(v) not in NUM:
                return False
        elif key == "strengthType":
            if v not in STRENGTHS or type(v) is bool:
                return False
        else:
            return False
    return True


def _element(e: Any) -> bool:
    if type(e) is not dict or "akUUID" not in e or type(e["akUUID"]) is not str:
        return False
    return all(k == "akUUID" or (k == "weight" and type(v) in NUM) for k, v in e.items())


def _user_element(e: Any) -> bool:
    if type(e) is not dict:
        return False
    for k, v in e.items():
        if k == "userLoraId":
            if not (v is None or _integer(v)):
                return False
        elif k != "weight" or type(v) not in NUM:
            return False
    return True


def _context_image(e: Any) -> bool:
    if type(e) is not dict or not ("id" in e and "type" in e) or len(e) != 2:
        return False
    return type(e["id"]) is str and type(e["type"]) is str and e["type"] in IMAGE_TYPES


def _array(item: Any) -> Any:
    return lambda v: v is None or (type(v) is list and all(item(i) for i in v))


def _types(allowed: frozenset[type]) -> Any:
    return lambda v: type(v) in allowed


MEMBERS: dict[str, Any] = {
    "prompt": lambda v: type(v) is str and len(v) <= 1500,
    "alchemy": _types(BOOL),
    "canvasInitId": _types(STR),
    "canvasMaskId": _types(STR),
    "canvasRequest": _types(BOOL),
    "canvasRequestType": _enum(frozenset({"INPAINT", "OUTPAINT", "SKETCH2IMG", "IMG2IMG"})),
    "contrast": lambda v: _num_or_null(v, 1, 4.5),
    "contrastRatio": lambda v: _num_or_null(v, 0, 1),
    "controlNet": _types(BOOL),
    "controlnets": _array(_controlnet),
    "controlNetType": _enum(frozenset({"POSE", "CANNY", "DEPTH"})),
    "elements": _array(_element),
    "enhancePrompt": _types(BOOL),
    "enhancePromptInstruction": _types(STR),
    "expandedDomain": _types(BOOL),
    "fantasyAvatar": _types(BOOL),
    "guidance_scale": lambda v: _num_or_null(v, 1, 30),
    "height": _size,
    "highContrast": _types(BOOL),
    "highResolution": _types(BOOL),
    "imagePrompts": _array(_types(STR)),
    "imagePromptWeight": _types(NUM),
    "init_generation_image_id": _types(STR),
    "init_image_id": _types(STR),
    "init_strength": lambda v: _num_or_null(v, 0, 0.9),
    "modelId": _types(STR),
    "negative_prompt": _types(STR),
    "num_images": lambda v: _int_or_null(v, 1, 8),
    "num_inference_steps": lambda v: _int_or_null(v, 10, 60),
    "photoReal": _types(BOOL),
    "photoRealStrength": lambda v: v is None or (_number(v) and v in (0.55, 0.5, 0.45)),
    "photoRealVersion": _enum(frozenset({"v1", "v2"})),
    "presetStyle": _enum(PRESET_STYLES),
    "promptMagic": _types(BOOL),
    "promptMagicStrength": lambda v: _num_or_null(v, 0.1, 1),
    "promptMagicVersion": _types(STR),
    "public": _types(BOOL),
    "scheduler": _enum(SCHEDULERS),
    "sd_version": _enum(SD_VERSIONS),
    "seed": lambda v: _int_or_null(v, -float("inf"), 9999999998),
    "tiling": _types(BOOL),
    "transparency": _enum(frozenset({"disabled", "foreground_only"})),
    "ultra": _types(BOOL),
    "unzoom": _types(BOOL),
    "unzoomAmount": _types(NUM),
    "upscaleRatio": _types(NUM),
    "userElements": _array(_user_element),
    "weighting": _types(NUM),
    "width": _size,
    # patternProperties ^name$ (Python's `$` also matches before a final newline)
    "styleUUID": _types(frozenset({str})),
    "styleUUID\n": _types(frozenset({str})),
    "contextImages": lambda v: type(v) is list and len(v) <= 4 and all(map(_context_image, v)),
    "contextImages\n": lambda v: type(v) is list and len(v) <= 4 and all(map(_context_image, v)),
    "isInitImage": _types(frozenset({bool})),
    "isInitImage\n": _types(frozenset({bool})),
}


def _phoenix(x: dict[str, Any]) -> bool:
    model = x.get("modelId")
    return model in PHOENIX if model is not None else x.get("sd_version", 0) == "PHOENIX"


def _flux(x: dict[str, Any]) -> bool:
    model = x.get("modelId")
    return model in FLUX if model is not None else x.get("sd_version", 0) in ("FLUX", "FLUX_DEV")


def is_valid(x: Any) -> bool:
    if type(x) is not dict or "prompt" not in x:
        return False
    for key, value in x.items():
        check = MEMBERS.get(key)
        if check is None or not check(value):
            return False
    # The rules (allOf), with each member's type already checked above.
    g = x.get
    width, height, count = g("width"), g("height"), g("num_images")
    large = width is None or width > 768 or (height is not None and height > 768)
    if large and count is not None and count > 4:
        return False
    alchemy = g("alchemy")
    if g("ultra") is True and alchemy is not False:
        return False
    contrast = g("contrast")
    low_contrast = contrast is not None and contrast < 2.5 and alchemy is not False
    if low_contrast and (_phoenix(x) or _flux(x)):
        return False
    sd_version = g("sd_version")
    if sd_version is not None and g("modelId") in PHOENIX and sd_version != "PHOENIX":
        return False
    seed = g("seed")
    if seed is not None and seed > 2147483638 and _flux(x):
        return False
    if g("photoReal") is True:
        if alchemy is False:
            return False
        if g("photoRealVersion") == "v2" and g("modelId") not in PHOTOREAL_V2:
            return False
    if g("unzoom") is True and (g("unzoomAmount") is None or g("init_image_id") is None):
        return False
    if g("unzoomAmount") is not None and g("unzoom") is not True:
        return False
    if g("fantasyAvatar") is True and g("init_image_id") is None:
        return False
    controlnets = g("controlnets")
    if controlnets and any(type(c.get("strengthType")) is str for c in controlnets):
        for c in controlnets:
            if c["preprocessorId"] in WEIGHTED_PREPROCESSORS and c.get("strengthType") is not None:
                return False
    return True
