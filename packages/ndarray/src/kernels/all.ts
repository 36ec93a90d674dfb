/** Registers the evaluation rule of every ndarray primitive. */
import './elementwise.js'
import './reduce.js'
import './structural.js'
import './window.js'
