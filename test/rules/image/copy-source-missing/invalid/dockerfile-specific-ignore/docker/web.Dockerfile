FROM node:20-alpine
WORKDIR /srv
COPY package.json ./
COPY app ./app
CMD ["node", "app/server.js"]
