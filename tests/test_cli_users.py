"""flask users create: accounts made from the command line."""

from bookings.accounts.service import find_by_email


def test_users_create_makes_an_account_that_can_sign_in(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Trainer@Example.org",
            "--name",
            "Sam Okafor",
            "--role",
            "trainer",
            "--password",
            "a long secret phrase",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created trainer Trainer@Example.org" in result.output
    user = find_by_email("trainer@example.org")
    assert user.name == "Sam Okafor" and user.role == "trainer"
    assert user.check_password("a long secret phrase")


def test_users_create_prompts_for_the_password_when_not_given(runner):
    result = runner.invoke(
        args=["users", "create", "staff@example.org", "--name", "Dee Marsh", "--role", "staff"],
        input="prompted secret\nprompted secret\n",
    )
    assert result.exit_code == 0, result.output
    assert find_by_email("staff@example.org").check_password("prompted secret")


def test_users_create_refuses_an_address_already_in_use(runner):
    args = ["users", "create", "ann@example.org", "--name", "Ann", "--password", "pw one two"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=[*args[:2], "ANN@example.org", *args[3:]])
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert find_by_email("ann@example.org").check_password("pw one two")


def test_users_create_refuses_an_unknown_role(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "x@example.org",
            "--name",
            "X",
            "--role",
            "admin",
            "--password",
            "pw",
        ]
    )
    assert result.exit_code != 0
    assert find_by_email("x@example.org") is None
