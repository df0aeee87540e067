-- The order view of seed 004: each order with its customer's name and email, its items and
-- totals. Customers are kept here too, so that an order placed before its customer's events
-- are projected gets their name and email when they come (see order-view.ts).
CREATE TABLE customers (
  customer_id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  status text NOT NULL
);

CREATE TABLE orders (
  order_id text PRIMARY KEY,
  customer_id text NOT NULL,
  -- Null until the customer's registration is projected.
  customer_name text,
  customer_email text,
  status text NOT NULL,
  total_cents bigint NOT NULL,
  item_count integer NOT NULL,
  tracking_number text,
  cancel_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- ListOrders: a customer's orders, newest first, a page at a time (keyset on created_at, order_id).
CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC, order_id DESC);

CREATE TABLE order_items (
  order_id text NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
  line integer NOT NULL,
  sku text NOT NULL,
  quantity integer NOT NULL,
  unit_price_cents bigint NOT NULL,
  PRIMARY KEY (order_id, line)
);
