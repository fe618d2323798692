require('dotenv').config();
const express = require('express');
express().listen(3000);
