-- Graph's user.signInActivity (spec 02 §7): the last interactive, non-interactive and successful
-- sign-in of each user, with the request ids, written when tokens are issued.

ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;
ALTER TABLE users ADD COLUMN last_sign_in_request_id TEXT;
ALTER TABLE users ADD COLUMN last_non_interactive_sign_in_at BIGINT;
ALTER TABLE users ADD COLUMN last_non_interactive_sign_in_request_id TEXT;
ALTER TABLE users ADD COLUMN last_successful_sign_in_at BIGINT;
ALTER TABLE users ADD COLUMN last_successful_sign_in_request_id TEXT;
