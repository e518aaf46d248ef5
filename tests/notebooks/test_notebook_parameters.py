"""Strict parameter validation: every problem found at once, each with what to fix."""

from __future__ import annotations

import os
from typing import Annotated, ClassVar, Literal

import pytest
from pydantic import Field

from billkit.errors import BillkitError, ConfigurationError
from billkit.notebook import ParameterError, check_parameters, validate_parameters
from billkit.notebook.runner.parameters import (
    NotebookParameters,
    checked,
    describe_parameters,
    parameter_cell_names,
)
from billkit.notebook.specs import (
    AccountBalanceParameters,
    BillAmountDueParameters,
    QuickstartParameters,
)

LIVE_KEY = "sk_4eC39HqLyjWDarjtT1zdp7dc"
TEST_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


class ExampleParameters(NotebookParameters):
    """A spec with one field of each kind the notebooks use."""

    notebook_title: ClassVar[str] = "the example notebook"

    receiver_port: Annotated[int | None, checked(lambda v: "too big" if v and v > 9 else None)] = (
        Field(None, description="port")
    )
    ratio: float = Field(1.5, description="a number")
    currency: Literal["ZAR", "USD"] = Field("ZAR", description="currency")
    amounts: list[int] = Field(default_factory=lambda: [1, 2], description="amounts")


def kernel_namespace(**assigned: object) -> dict[str, object]:
    """What `globals()` holds in a kernel: IPython's names, imports, and the assigned parameters."""
    return {
        "__name__": "__main__",
        "__builtins__": __builtins__,
        "In": [],
        "Out": {},
        "_": "",
        "_i3": "",
        "get_ipython": lambda: None,
        "exit": object(),
        "quit": object(),
        "os": os,  # an import in the check cell is not a parameter
        "check_parameters": check_parameters,
        **assigned,
    }


def problems_of(error: pytest.ExceptionInfo[ParameterError]) -> list[str]:
    return list(error.value.problems)


def test_defaults_pass_and_come_back_typed() -> None:
    params = check_parameters(kernel_namespace(base_url=None, api_key=None), ExampleParameters)
    assert params == ExampleParameters()
    assert params.amounts == [1, 2]


def test_a_misspelled_name_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ParameterError) as error:
        check_parameters(kernel_namespace(api_kye=TEST_KEY), ExampleParameters)
    assert problems_of(error) == [
        "'api_kye' is not a parameter of this notebook. Did you mean 'api_key'?"
    ]
    assert "Parameters it takes: base_url, api_key, allow_live, receiver_port" in str(error.value)
    assert TEST_KEY not in str(error.value)


def test_an_unrelated_unknown_name_says_to_remove_it() -> None:
    with pytest.raises(
        ParameterError, match=r"'colour' is not a parameter of this notebook\. Remove it"
    ):
        validate_parameters({"colour": "blue"}, ExampleParameters)


def test_wrong_types_are_named_with_the_expected_type() -> None:
    with pytest.raises(ParameterError) as error:
        validate_parameters(
            {"receiver_port": "8000", "allow_live": 1, "ratio": True, "currency": "EUR"},
            ExampleParameters,
        )
    problems = problems_of(error)
    assert len(problems) == 4
    assert problems[0].startswith("allow_live must be True or False, got 1")
    assert problems[1].startswith("receiver_port must be an integer or None, got '8000'")
    assert problems[2].startswith("ratio must be a number, got True")
    assert problems[3].startswith("currency must be one of 'ZAR', 'USD', got 'EUR'")


def test_an_int_is_a_fine_float_and_lists_are_checked_item_by_item() -> None:
    assert validate_parameters({"ratio": 2}, ExampleParameters).ratio == 2
    with pytest.raises(ParameterError, match=r"amounts must be a list of integers, got \[1, '2'\]"):
        validate_parameters({"amounts": [1, "2"]}, ExampleParameters)


def test_value_checks_run_after_the_type_check() -> None:
    with pytest.raises(ParameterError, match="receiver_port too big"):
        validate_parameters({"receiver_port": 10}, ExampleParameters)


def test_a_live_key_needs_allow_live() -> None:
    url = "https://api.momentpay.net"
    with pytest.raises(ParameterError) as error:
        validate_parameters({"base_url": url, "api_key": LIVE_KEY}, ExampleParameters)
    (problem,) = problems_of(error)
    assert "is a live key" in problem
    assert "set allow_live=True" in problem
    assert LIVE_KEY not in str(error.value)
    assert "sk_…p7dc" in problem
    params = validate_parameters(
        {"base_url": url, "api_key": LIVE_KEY, "allow_live": True}, ExampleParameters
    )
    assert params.allow_live is True


def test_the_embedded_sandbox_refuses_a_live_key_even_with_allow_live() -> None:
    with pytest.raises(ParameterError, match="embedded sandbox accepts test keys only"):
        validate_parameters({"api_key": LIVE_KEY, "allow_live": True}, ExampleParameters)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"api_key": "pk_test_abcdefghijkl"}, "is a public key"),
        ({"api_key": "not-a-key-at-all"}, "is not a Moment secret key"),
        ({"base_url": "https://api.momentpay.net"}, "api_key is required when base_url is set"),
        (
            {"base_url": "http://api.momentpay.net", "api_key": TEST_KEY},
            "must use https .*, got 'http://api.momentpay.net'",
        ),
        ({"base_url": "api.momentpay.net", "api_key": TEST_KEY}, "must be a URL"),
    ],
)
def test_key_and_url_rules(values: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        validate_parameters(values, ExampleParameters)


def test_plain_http_is_fine_on_loopback() -> None:
    params = validate_parameters(
        {"base_url": "http://127.0.0.1:8787", "api_key": TEST_KEY}, ExampleParameters
    )
    assert params.base_url == "http://127.0.0.1:8787"


def test_every_problem_is_reported_at_once_and_secrets_stay_hidden() -> None:
    namespace = kernel_namespace(api_kye="x", recevier_port=1, ratio="fast")
    with pytest.raises(ParameterError) as error:
        check_parameters(namespace, ExampleParameters)
    assert len(problems_of(error)) == 3
    assert str(error.value).startswith(
        "The parameters of the example notebook need fixing (3 problems):"
    )


def test_a_secret_of_the_wrong_type_is_not_echoed() -> None:
    secret = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]
    with pytest.raises(ParameterError) as error:
        validate_parameters({"webhook_secret": secret}, QuickstartParameters)
    assert secret[0] not in str(error.value)


def test_parameter_error_is_a_configuration_error() -> None:
    assert issubclass(ParameterError, ConfigurationError)
    assert issubclass(ParameterError, BillkitError)
    assert issubclass(ParameterError, ValueError)


def test_notebook_specs_apply_their_own_rules() -> None:
    with pytest.raises(
        ParameterError, match=r"hosted_page_amount \(3000\) must be less than amount_due"
    ):
        validate_parameters({"hosted_page_amount": 3000}, BillAmountDueParameters)
    with pytest.raises(ParameterError, match="needs at least two balances"):
        validate_parameters({"account_balances": [100]}, AccountBalanceParameters)
    with pytest.raises(ParameterError, match=r"webhook_secret cannot sign webhooks: .* not base64"):
        validate_parameters({"webhook_secret": "whsec_***"}, QuickstartParameters)
    with pytest.raises(
        ParameterError, match="webhook_secret is required with base_url and receiver_port"
    ):
        validate_parameters(
            {"base_url": "https://api.momentpay.net", "api_key": TEST_KEY, "receiver_port": 8000},
            QuickstartParameters,
        )


def test_mutable_defaults_are_not_shared() -> None:
    first, second = AccountBalanceParameters(), AccountBalanceParameters()
    assert first.account_balances == second.account_balances
    assert first.account_balances is not second.account_balances


def test_describe_parameters_lists_every_field_with_its_help() -> None:
    rows = {
        name: (kind, default, help)
        for name, kind, default, help in describe_parameters(ExampleParameters)
    }
    assert rows["receiver_port"] == ("an integer or None", "None", "port")
    assert rows["currency"][0] == "one of 'ZAR', 'USD'"
    assert rows["amounts"][:2] == ("a list of integers", "[1, 2]")
    assert set(rows) == set(ExampleParameters.model_fields)


PARAMETERS_SOURCE = "base_url = None\napi_key = None\nallow_live = False"
CHECK_SOURCE = "params = check_parameters(globals(), Spec)"


@pytest.mark.parametrize(
    ("history", "names"),
    [
        # papermill: the parameters cell, then its injected cell, then the check
        (
            ["", PARAMETERS_SOURCE, '# Parameters\napi_kye = "x"\n', CHECK_SOURCE],
            {"base_url", "api_key", "allow_live", "api_kye"},
        ),
        # Run All without a restart: what later cells made last time ran before the parameters cell
        (
            [
                "",
                PARAMETERS_SOURCE,
                CHECK_SOURCE,
                "remaining = 1500",
                "x = f(1)",
                PARAMETERS_SOURCE,
                CHECK_SOURCE,
            ],
            {"base_url", "api_key", "allow_live"},
        ),
        # a corrected parameters cell re-run: the old spelling no longer counts
        (["", "api_kye = 'x'", CHECK_SOURCE, "api_key = 'x'", CHECK_SOURCE], {"api_key"}),
        # nothing parameter-like ran just before
        (["", "import os", CHECK_SOURCE], None),
        (["", "x = [1, 2", CHECK_SOURCE], None),
    ],
)
def test_parameter_cells_are_the_literal_cells_just_before_the_check(
    history: list[str], names: set[str] | None
) -> None:
    assert parameter_cell_names(history) == names
