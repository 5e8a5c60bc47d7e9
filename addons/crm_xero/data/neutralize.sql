-- A copied database (staging, backup restore) must never act on the live Xero
-- organisation: forget the tokens and any OAuth round trip in flight.
UPDATE xero_connection
   SET access_token = NULL,
       refresh_token = NULL,
       token_expires_at = NULL,
       pending_token = NULL,
       oauth_nonce = NULL,
       oauth_verifier = NULL,
       state = CASE WHEN state = 'connected' THEN 'needs_reconnect' ELSE state END;
