def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="csrf_token"' in response.data


def test_customer_sees_booking(customer_client, world):
    response = customer_client.get(f"/bookings/{world.upcoming.ref}")
    assert response.status_code == 200, response.data
    assert b"Cancel booking" in response.data
