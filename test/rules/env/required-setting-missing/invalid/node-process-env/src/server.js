const express = require('express');
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const port = Number(process.env.PORT) || 3000;

const app = express();
app.get('/health', (req, res) => res.json({ ok: true }));
app.get('/items', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM items');
  res.json(rows);
});

app.listen(port, () => console.log(`listening on ${port}`));
