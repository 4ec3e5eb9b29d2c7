"""Error messages: a description given where the error was raised reaches the person."""

from .conftest import csrf_token


def test_missing_comment_says_so_to_signed_in_staff(client, make_staff, login):
    login(make_staff("Ana Lima"))
    token = csrf_token(client.get("/moderation/").get_data(as_text=True))
    answer = client.post("/moderation/comments/999/approve", data={"csrf_token": token})
    assert answer.status_code == 404
    assert "No such comment." in answer.get_data(as_text=True)


def test_unknown_address_gets_our_words_not_werkzeugs(client):
    answer = client.get("/no/such/page")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert "Nothing here. Check the address." in page
    assert "The requested URL was not found" not in page


def test_wrong_method_on_the_api_is_explained_in_json(client):
    answer = client.put("/api/posts/hello/comments")
    assert answer.status_code == 405
    assert answer.get_json()["message"] == "That method is not allowed here."


def test_rate_limit_message_asks_to_wait_not_quotes_the_limit(app_with, make_post):
    make_post("hello")
    client = app_with(RATELIMIT_ENABLED=True, PORCH_COMMENT_RATE_LIMIT="1 per minute").test_client()
    question = {"author_name": "Robin", "body": "Hello?"}
    for _ in range(2):
        answer = client.post("/api/posts/hello/comments", json=question)
    assert answer.status_code == 429
    assert "please wait" in answer.get_json()["message"]
    assert "1 per 1 minute" not in answer.get_json()["message"]
