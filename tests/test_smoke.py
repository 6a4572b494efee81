from tests.conftest import post


def test_healthz_needs_no_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_login_then_home(client, make_user):
    user = make_user("admin", name="Ada")
    response = post(client, "/login", {"email": user.email.upper(), "password": "a-long-test-passphrase"})
    assert response.status_code == 302
    assert "Welcome, Ada" in client.get("/").get_data(as_text=True)
