"""Every public name is importable where the docs say, and documented as a formula sheet."""

import inspect

import pytest

import nncourse as nc

MODULES = [
    "activations",
    "losses",
    "information",
    "gradcheck",
    "nn",
    "optim",
    "regularization",
    "tlu",
    "surfaces",
    "plotting",
    "data",
]
TOP_LEVEL = ["activations", "losses", "gradcheck"]
PUBLIC = [
    (module, name)
    for module in MODULES
    for name in getattr(nc, module).__all__
    if inspect.isfunction(getattr(getattr(nc, module), name))
    or inspect.isclass(getattr(getattr(nc, module), name))
]


# Containers and figures compute nothing a formula would state; they still need examples.
WITHOUT_FORMULA = {
    ("nn", "Parameter"),
    ("nn", "Module"),
    ("optim", "Optimizer"),
    ("optim", "LRScheduler"),
    ("tlu", "PerceptronResult"),
    ("gradcheck", "ModuleCheckResult"),
    *((module, name) for module, name in PUBLIC if module == "plotting"),
}


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=lambda v: str(v))
def test_public_name_has_formula_and_runnable_example(module, name):
    doc = inspect.getdoc(getattr(getattr(nc, module), name)) or ""
    assert "Examples\n--------" in doc, f"nc.{module}.{name} has no Examples section"
    if (module, name) not in WITHOUT_FORMULA:
        assert ".. math::" in doc or ":math:" in doc, f"nc.{module}.{name} states no formula"


@pytest.mark.parametrize("module", TOP_LEVEL)
def test_core_names_are_importable_from_the_top_level(module):
    for name in getattr(nc, module).__all__:
        assert getattr(nc, name) is getattr(getattr(nc, module), name)


def test_information_measures_stay_in_their_module():
    """`nc.cross_entropy` is the loss on logits; the information measure is not at the top."""
    assert nc.cross_entropy is nc.losses.cross_entropy
    assert nc.cross_entropy is not nc.information.cross_entropy
    assert not hasattr(nc, "kl_divergence")
