const express = require('express');
const stripe = require('stripe');
const app = express();
app.listen(3000);
