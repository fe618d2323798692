const express = require('express');
const { Pool } = require('pg');
const config = require('./config');

const pool = new Pool({ connectionString: config.databaseUrl });
const app = express();
if (process.env.TRUST_PROXY) app.set('trust proxy', 1);
app.get('/health', (req, res) => res.json({ ok: true }));
app.get('/me', (req, res) => res.json({ user: process.env.DEFAULT_USER }));
app.listen(config.port);
