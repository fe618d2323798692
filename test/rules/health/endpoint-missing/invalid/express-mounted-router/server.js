const express = require('express');
const cors = require('cors');
const healthRouter = require('./routes/health');

const app = express();
app.use(express.json());
app.use(cors());
app.use((req, res, next) => {
  console.log(req.method, req.path);
  next();
});
app.use('/api', healthRouter);

app.listen(process.env.PORT || 3000);
