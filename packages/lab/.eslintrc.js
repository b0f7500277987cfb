module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // The end-to-end tests assert through shared checks named expect*.
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expect*'] },
    ],
  },
});
